"""Secrets: passwords after their cues, credentials in URLs and `user:password@host`, keys in
pasted configuration, known token formats and high-entropy tokens."""

from __future__ import annotations

import math
import re
from collections import Counter

from policies.detectors.base import Candidate, lower_pattern, lowered

_URL_CRED = re.compile(r"(?i)\b[a-z][a-z0-9+.\-]{1,15}://[^\s/:@]{1,128}:[^\s/]{1,128}@[^\s/?#@]+")
# "admin:Hearth2024!@192.168.1.20", "pi:raspberry@octopi.local:8080": a user, a password and a host.
_USER_PASS_HOST = re.compile(
    r"(?<![\w/:.@\-])(?P<user>[A-Za-z0-9_.+\-]{1,64}):(?P<pw>[^\s/]{1,128})@"
    r"(?P<host>[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62})(?:\.[A-Za-z0-9\-]{1,63})*(?::\d{1,5})?)(?![\w@\-]|\.\w)"
)
_NOT_USERS = frozenset({"mailto", "sip", "sips", "tel", "xmpp", "email", "e-mail", "mail", "contact", "kontakt", "to", "from", "cc", "bcc", "an", "von", "reply-to"})  # fmt: skip
# `curl -u deploy:Tr0ub4dor&3`, `--user bob:s3cret`: a user and a password on a command line.
_CLI_USER = re.compile(r"(?<![\w\-])(?:-u|--user|--basic-auth|-p)\s+['\"]?(?P<cred>[^\s:'\"]{1,64}:[^\s'\"]{1,128})")
# "cvc 209", "CVV: 4711": a card's security code.
_CARD_CODE = lower_pattern(
    r"(?i)(?<!\w)(?:cvc2?|cvv2?|csc|cid|security code|card code|prüfnummer|prüfziffer|kartenprüfnummer|cryptogramme"
    r"|código de seguridad)\s*[:#=]?\s*(?P<code>\d{3,4})(?!\d)"
)
# "Kartennummer 4210 0312 7147 6825 und den Code 318": a plain "code" of three or four digits after a card number.
_CODE_AFTER_CARD = lower_pattern(r"(?i)(?<!\w)(?:code|código|codigo|clave)\s*[:#=]?\s*(?P<code>\d{3,4})(?![\d.,:/\-])")
_CARD_BEFORE = re.compile(r"\d(?:[ \-]?\d){11,18}")
_URL_TOKEN = re.compile(r"(?i)[?&](?:access_token|token|api_key|apikey|key|sig|signature|password|pwd|secret|auth)=([^\s&#]{6,})")

# "login: jsmith / Hunter2Hunter", "Zugangsdaten max / geheim123": a user and a password after a slash.
_LOGIN_PAIR = lower_pattern(
    r"(?i)\b(?:login|log-in|credentials|creds|zugangsdaten|anmeldedaten|identifiants|credenciales|datos de acceso)\b"
    r"[^\n]{0,24}?(?<![\w@.\-])[\w.@+\-]{2,64}[ \t]*/[ \t]*(?P<pw>[^\s/]{4,128})"
)
# "Authorization: Bearer 9f86d0...", "Basic dXNlcjpwYXNz": a credential in an HTTP header.
_AUTH_HEADER = re.compile(r"(?i:\b(?:bearer|basic|token|authorization:))[ \t]+(?P<value>[A-Za-z0-9._~+/\-]{16,}=*)")
_KNOWN_SECRETS = re.compile(
    r"(?<![\w\-])(?:"
    r"sk-(?:proj-|ant-(?:api\d\d-)?|live-)?[A-Za-z0-9_\-]{20,}"
    r"|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}"
    r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,}"
    r"|glpat-[A-Za-z0-9_\-]{20,}|xox[abposr]-[A-Za-z0-9\-]{10,}"
    r"|AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|AIza[0-9A-Za-z_\-]{35}"
    r"|hf_[A-Za-z0-9]{30,}|npm_[A-Za-z0-9]{36}|SG\.[A-Za-z0-9_\-]{20,}\.[A-Za-z0-9_\-]{20,}"
    r"|eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"
    r")"
)
_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)")

# Cues after which any word is a secret ("the wifi password is sunshine").
_STRONG_CUE = (
    r"password|passwort|passwd|passcode|pass ?phrase|kennwort|mot de passe|mdp|contraseña|contrasena"
    r"|wi-?fi[ \-]?(?:key|code|pass|pw|schlüssel)|wlan[ \-]?(?:key|schlüssel|schluessel|code|pw|passwort|kennwort)"
    r"|netzwerkschlüssel|netzwerkschluessel|sicherheitsschlüssel|network key|security key"
    r"|wpa2?(?:[ \-]?psk)?(?: key| passphrase| schlüssel)?|psk|clé (?:wi-?fi|wpa|de sécurité|réseau|du réseau)"
    r"|cle wi-?fi|code wi-?fi|clave(?: del)? wi-?fi|clave de red|router[ \-]?(?:key|schlüssel|passwort)"
    r"|routerschlüssel|api[ \-]?key|secret key|access key|private key|digicode|code d'entrée|code portail|code de la porte"
    r"|code de l'alarme|code alarme|código de acceso|código de la puerta|código de la alarma|clave de acceso|zugangscode|alarmcode"
    r"|tresorcode|lockbox code|key ?safe code|keysafe|app password|one-time code|otp|recovery code|backup code|seed phrase"
    r"|geheimzahl|pin-nummer|bestätigungscode|verifizierungscode|sicherheitscode|einmalcode|verification code"
    r"|confirmation code|one-time password|código de verificación|código de confirmación|code de vérification"
    r"|code de confirmation|mot de passe à usage unique"
    r"|lockbox|key ?box|key ?safe|schlüsselbox|schlüsseltresor|boîte à clés|code porte|code de porte|code immeuble"
    r"|combination|combo|zahlenschloss|zahlencode|schlosscode|combinaison|code du cadenas|combinación|código del candado"
)
# Cues that also start ordinary phrases ("pin this", "secret recipe"): the value must look
# like a code (a digit in it, or mixed case).
_WEAK_CUE = (
    r"pin(?: code| number|-code)?|pincode|code pin|code|secret|token|pwd|pw|key|tan|mtan|smstan|schlüssel|clé|clave|código|codigo"
    r"|access code|door code|gate code|alarm code|alarm_code|door_code|gate_code|access_code|garage code|safe code|türcode|zugangscode|code d'accès"
)
_CUE_GAP = (
    r"(?:['’]s|\s+(?:is|ist|est|es|was|war|lautet|to|=|:|c'est|sind|son|are|[\w\-]+(?=\s*[:=])|[\w\-]+\s+(?:is|ist|est|es|lautet)(?=\s)|"
    r"(?:for|of|für|de|du|des|del|der|vom|zum|zur|on|auf)\s+(?:the |das |den |die |der |le |la |el |l')?[\w\-]+(?:\s[\w\-]+)?"
    r"(?:\s+(?:is|ist|lautet|est|es))?|d['’][\w\-]+))?\s*[:=]?\s*(?P<art>(?:le|la|el|the|der|die|das)\s+)?"
)
_PASSWORD = lower_pattern(
    rf"(?i)(?<!\w)(?:(?P<strong>{_STRONG_CUE})|(?P<weak>{_WEAK_CUE}))(?![\w\-])[\"']?{_CUE_GAP}"
    r"(?:\"(?P<dq>[^\"\n]{1,100})\"|'(?P<sq>[^'\n]{1,100})'|(?<![\w\-])(?P<value>[^\s\"']{4,200}))"
)
_PASSWORD_STOP = frozenset({"again", "change", "changed", "expired", "field", "forgot", "forgotten", "hint", "length", "manager", "managers", "please", "policy", "protected", "protection", "recovery", "required", "reset", "strength", "strong", "with", "that", "this", "when", "what", "here", "there", "from", "your", "yours", "mine", "into", "does", "doesn't", "isn't", "wasn't", "ist", "nicht", "vergessen", "ändern", "zurücksetzen", "oublié", "changer", "olvidé", "cambiar", "und", "oder", "and", "for", "the", "was", "were", "have", "has", "will", "would", "should", "could", "must"})  # fmt: skip
# A value in groups of 3 to 6 letters or digits ("4729 1836 5502 9174 6630") goes on to its last group.
_GROUP = re.compile(r"[ \-]([A-Z0-9]{3,6})(?![\w\-])")
# "zip code 10115", "error code E42": codes that are not secrets.
_NOT_A_SECRET_CODE = re.compile(
    r"(?i)\b(?:zip|postal|post|area|country|source|qr|bar|dress|promo|discount|voucher|coupon|error|status|exit|sort|bank|branch|routing|swift|bic"
    r"|iso|airport|product|tracking|gift|referral|cheat|fehler|gutschein|rabatt|postal|code postal|código postal)"
    r"[\s\-]+$"
)
# "=" only as base64 padding at the end: `NAME=value` is a name and a value, not one token.
_TOKENISH = re.compile(r"(?<![\w/+\-])[A-Za-z0-9_\-+/]{24,}={0,2}(?![\w/+=\-])")

# Keys in pasted configuration: `api_key = "…"`, `OPENAI_API_KEY=…`, `"password": "…"`, `psk="…"`.
_CONFIG = lower_pattern(
    r"(?im)(?<![\w\-.])(?P<key>(?:[A-Za-z_][\w.\-]{0,60}?)?(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_\-]?key"
    r"|apikey|access[_\-]?key|private[_\-]?key|secret[_\-]?key|auth[_\-]?key|psk|credentials?|master[_\-]?key"
    r"|encryption[_\-]?key|signing[_\-]?key|license[_\-]?key|wifi[_\-]?key|[_\-]key)(?![a-z])[\w.\-]{0,40})[\"']?[ \t]*[:=][ \t]*"
    # a bare value ends at a space, a quote or a comment ("# ..."); a "#" inside it is its own ("r7#Lq2pVw9!tE")
    r"(?:\"(?P<dq>[^\"\n]{1,300})\"|'(?P<sq>[^'\n]{1,300})'|(?P<bare>[^\s\"',;#}\]](?:[^\s\"',;#}\]]|#){0,299}))"
)
_CONFIG_KEY_NOT = re.compile(
    r"(?i)(?:length|min|max|policy|hint|file|path|field|expiry|expires|expiration|enabled|required|url|uri"
    r"|endpoint|type|name|id|count|ttl|timeout|reset|prompt|label|format|mode|command|env|header|regex)$"
)
_CONFIG_VALUE_NOT = frozenset({"true", "false", "null", "none", "nil", "yes", "no", "~", "0", "1", "''", '""', "required", "optional", "string", "str", "<redacted>", "***", "****"})  # fmt: skip


def _entropy(s: str) -> float:
    counts = Counter(s)
    return -sum(c / len(s) * math.log2(c / len(s)) for c in counts.values())


def _looks_like_code(value: str) -> bool:
    return any(c.isdigit() for c in value) or (any(c.isupper() for c in value[1:]) and any(c.islower() for c in value))


def _grouped_end(text: str, start: int, end: int) -> int:
    """Return where a value written in blocks ends: past every following block of its shape."""
    value = text[start:end]
    if not (3 <= len(value) <= 6 and value.isalnum() and (value.isdigit() or value.isupper())):
        return end
    while (m := _GROUP.match(text, end)) is not None and m.group(1).isdigit() == value.isdigit():
        end = m.end()
    return end


# A strong cue, then within its sentence a word shaped like a password: "la contraseña era
# Girasol.2021!", "mot de passe était Cigogne*Alsace*1974", "Passwort steht in der Datei: Himbeere#31".
_STRONG = lower_pattern(rf"(?i)(?<!\w)(?:{_STRONG_CUE})(?![\w\-])")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n")
_TOKEN = re.compile(r"[^\s\"'«»„“”<>()\[\]]+")
_NOT_SHAPED = re.compile(r"^(?:\d{1,4}[./\-]\d{1,2}(?:[./\-]\d{2,4})?|\d{1,2}[:h]\d{2}|[\d.]+%?|\d+[.,]\d+[€$£]?)$|@|://|^[\d.]+$")


def _shaped(token: str) -> bool:
    """Tell whether a word looks like a password: letters with digits or symbols inside it, not a date or an address."""
    if not 5 <= len(token) <= 64 or _NOT_SHAPED.search(token):
        return False
    letters = sum(c.isalpha() for c in token)
    digits = sum(c.isdigit() for c in token)
    symbols = sum(c in "#*!$%&?+=_~^" for c in token)  # not "-" or ".": "e-mail", "z.B." are words
    return letters >= 2 and (digits >= 1 or symbols >= 1) and digits + symbols < len(token)


def _shaped_after_cue(text: str, low: str, found: list[Candidate]) -> set[int]:
    """Add the first password-shaped word after each strong cue; return where those cues start."""
    cues: set[int] = set()
    for cue in _STRONG.finditer(low):
        stop = _SENTENCE_END.search(text, cue.end(), cue.end() + 80)
        window_end = stop.start() if stop is not None else min(len(text), cue.end() + 80)
        for tok in _TOKEN.finditer(text, cue.end(), window_end + 1 if stop is not None and text[stop.start()] in "!" else window_end):
            raw = tok.group()
            value = raw.lstrip(":=").rstrip(".,;:")
            start = tok.start() + len(raw) - len(raw.lstrip(":="))
            if _shaped(value):
                found.append(Candidate("SECRET", start, start + len(value)))
                cues.add(cue.start())
                break
    return cues


def _passwords(text: str, found: list[Candidate]) -> None:
    low = lowered(text)
    shaped = _shaped_after_cue(text, low, found)
    for m in _PASSWORD.finditer(low):
        for group in ("dq", "sq", "value"):
            if m.group(group) is not None:
                break
        start, end = m.span(group)
        value = text[start:end]
        if group == "value":
            value = value.rstrip(".,;:?)")
            end = start + len(value)
            end = _grouped_end(text, start, end)
        if not value.strip() or value.casefold() in _PASSWORD_STOP:
            continue
        if m.start() in shaped and not _shaped(value) and group == "value":
            continue  # "era", "steht in der Datei": the words before the password, which was found
        if (m.group("weak") is not None or m.group("art") is not None) and not _looks_like_code(value):
            continue  # "the password is the same": an article, then a word, is no secret unless it looks like a code
        if m.group("weak") is not None and _NOT_A_SECRET_CODE.search(text, max(0, m.start() - 16), m.start()):
            continue
        found.append(Candidate("SECRET", start, end))


def _config(text: str, found: list[Candidate]) -> None:
    for m in _CONFIG.finditer(lowered(text)):
        if _CONFIG_KEY_NOT.search(m.group("key")):
            continue
        group = next(g for g in ("dq", "sq", "bare") if m.group(g) is not None)
        raw = text[m.start(group) : m.end(group)]
        value = raw.strip()
        if value.casefold() in _CONFIG_VALUE_NOT or value.startswith(("${", "{{", "$(", "!secret", "<your")):
            continue
        start = m.start(group) + (len(raw) - len(raw.lstrip()))
        found.append(Candidate("SECRET", start, start + len(value)))


def find_secrets(text: str, found: list[Candidate]) -> None:
    """Add credentials, passwords and keys found in text."""
    for m in _URL_CRED.finditer(text):
        found.append(Candidate("URL_CREDENTIALS", m.start(), m.end()))
    for m in _USER_PASS_HOST.finditer(text):
        user = m.group("user")
        if user.casefold() in _NOT_USERS or not any(c.isalpha() for c in user):
            continue
        found.append(Candidate("URL_CREDENTIALS", m.start(), m.end()))
    for m in _CLI_USER.finditer(text):
        found.append(Candidate("URL_CREDENTIALS", m.start("cred"), m.end("cred")))
    low = lowered(text)
    for m in _CARD_CODE.finditer(low):
        found.append(Candidate("SECRET", m.start("code"), m.end("code")))
    for m in _CODE_AFTER_CARD.finditer(low):
        if _CARD_BEFORE.search(text, max(0, m.start() - 100), m.start()):
            found.append(Candidate("SECRET", m.start("code"), m.end("code")))
    for m in _URL_TOKEN.finditer(text):
        found.append(Candidate("URL_CREDENTIALS", m.start(1), m.end(1)))
    for m in _AUTH_HEADER.finditer(text):
        if any(c.isdigit() for c in m.group("value")):
            found.append(Candidate("SECRET", m.start("value"), m.end("value")))
    for m in _KNOWN_SECRETS.finditer(text):
        found.append(Candidate("SECRET", m.start(), m.end()))
    for m in _PEM.finditer(text):
        found.append(Candidate("SECRET", m.start(), m.end()))
    _passwords(text, found)
    _config(text, found)
    for m in _LOGIN_PAIR.finditer(low):
        end = m.end("pw")
        while end > m.start("pw") and text[end - 1] in ".,;:)":
            end -= 1
        found.append(Candidate("SECRET", m.start("pw"), end))
    for m in _TOKENISH.finditer(text):
        tok = m.group()
        classes = sum((any(c.islower() for c in tok), any(c.isupper() for c in tok), any(c.isdigit() for c in tok)))
        if classes >= 3 and _entropy(tok) >= 4.0 and "/" not in tok.strip("/"):
            found.append(Candidate("SECRET", m.start(), m.end()))
