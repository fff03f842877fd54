"""More training templates: everyday household phrasings of every label in English, German,
French and Spanish, with the words people use rather than the ones a form would.

Written by hand by helper H5 on 2026-12-01 from general knowledge of what households ask.
Not taken from, checked against or tuned on the evaluation data in
policies/evaldata/sensitivity (which was only read for its file format); the model is
judged on that data, never trained on it.
"""

from __future__ import annotations

_RAW: dict[tuple[str, ...], dict[str, str]] = {
    ("health",): {
        "en": """
my throat has been burning for a week and it hurts to swallow
I keep waking up at night with my heart racing
is it normal to feel dizzy every time I stand up
what happens if I miss two doses of my blood pressure pills
the rash on my arm is spreading, should I see someone today
how long does the stomach flu usually last in adults
my dad's sugar levels were over 300 this morning
I think I broke a toe, can I just tape it
what's a safe dose of ibuprofen if I weigh 60 kilos
I've had a migraine for three days and nothing helps
is it dangerous to mix alcohol with antidepressants
my grandmother keeps forgetting where she is, could it be dementia
how do I know if a cut needs stitches
I've been feeling really low and can't get out of bed
what are the side effects of coming off sertraline
my knee swelled up after jogging, ice or heat
the doctor found a lump, what questions should I ask at the biopsy
I can't stop coughing up yellow stuff
how can I lower my cholesterol without statins
I'm allergic to penicillin, what can I take instead for an ear infection
burned my hand on the oven, it's blistering
what should I eat after having my gallbladder out
my hearing in one ear went muffled overnight
I've lost ten kilos without trying
someone in the house has a fever of 39.5
how do I cope with panic attacks at work
my mum is in hospital after a stroke, what does recovery look like
I've been having thoughts of hurting myself
""",
        "de": """
ich habe seit Tagen Halsschmerzen und Fieber
mein Blutdruck ist heute morgen sehr hoch gewesen
was hilft gegen starke Migräne
darf ich Ibuprofen und Paracetamol zusammen nehmen
ich habe einen Ausschlag am ganzen Körper
mein Vater hat Diabetes und sein Zucker ist zu hoch
ich fühle mich seit Wochen depressiv und erschöpft
die Wunde am Bein entzündet sich, muss ich zum Arzt
welche Nebenwirkungen hat die Chemotherapie
ich habe Schmerzen in der Brust beim Treppensteigen
meine Oma ist nach einem Sturz im Krankenhaus
wie lange dauert eine Grippe normalerweise
""",
        "fr": """
j'ai mal à la gorge depuis une semaine et de la fièvre
mon médecin m'a prescrit des antibiotiques, puis-je boire de l'alcool
j'ai des douleurs dans la poitrine quand je marche
ma mère a fait un AVC, que faire maintenant
je me sens déprimé et je n'arrive plus à dormir
quels sont les effets secondaires de ce médicament
mon genou est enflé depuis hier
j'ai de la tension, que dois-je manger
est-ce grave d'avoir du sang dans les urines
je fais des crises d'angoisse au travail
""",
        "es": """
me duele mucho la cabeza desde hace tres días
tengo fiebre y tos, ¿debo ir al médico?
mi padre tiene diabetes y el azúcar le sale alto
¿puedo tomar ibuprofeno con el antibiótico?
tengo una erupción en la piel que pica mucho
me siento deprimido y sin ganas de nada
mi abuela está en el hospital por un infarto
¿cuánto tarda en curarse una gripe?
me torcí el tobillo y está muy hinchado
tengo dolor en el pecho cuando subo escaleras
""",
    },
    ("finance",): {
        "en": """
we're behind on the mortgage by two months, what are our options
how much should I have in my emergency fund on a 40k salary
my credit score dropped 80 points after a missed payment
can I deduct my home office on my tax return
the bank charged me an overdraft fee three times this week
should we pay off the car loan early or invest the money
how do I dispute a transaction I didn't make
my salary is 3200 a month after tax, help me make a budget
we owe about 15,000 on credit cards, how do we get out of debt
how much pension will I get if I retire at 60
is it smart to take out a loan for a wedding
my partner and I want a joint account, how does that work
the landlord wants a rent increase of 200, can we afford it
I got a letter from the tax office saying I owe back taxes
how should I split my savings between stocks and bonds
we just inherited some money, what do we do with it
I lent my brother 5000 and he won't pay it back
can I get a refund for a purchase made with my debit card
""",
        "de": """
wir können die Miete diesen Monat nicht bezahlen
wie viel sollte ich jeden Monat sparen bei 2800 netto
mein Konto ist im Minus und die Bank verlangt Zinsen
lohnt sich eine Umschuldung unseres Kredits
ich habe eine Mahnung vom Finanzamt bekommen
wie lege ich mein Erspartes am besten an
unsere Schulden wachsen uns über den Kopf
kann ich die Handwerkerkosten von der Steuer absetzen
""",
        "fr": """
nous avons du retard sur le remboursement du prêt immobilier
combien dois-je épargner chaque mois avec mon salaire
ma banque m'a facturé des agios, est-ce normal
comment remplir ma déclaration d'impôts
nous avons beaucoup de dettes sur nos cartes de crédit
est-ce le bon moment pour placer mes économies
j'ai reçu un avis d'imposition que je ne comprends pas
""",
        "es": """
no podemos pagar la hipoteca este mes
¿cuánto debería ahorrar al mes con mi sueldo?
el banco me cobró una comisión por descubierto
tengo muchas deudas con la tarjeta de crédito
¿cómo hago la declaración de la renta?
¿dónde invierto mis ahorros?
mi jefe no me ha pagado la nómina de este mes
""",
    },
    ("children",): {
        "en": """
my toddler bites other kids at daycare, how do I stop it
our 8 year old is being bullied at school
how much sleep does a 4 month old need
my daughter started her period early, she's only 9
the baby won't take the bottle since yesterday
my son wets the bed again, he's six
is it okay to let my 12 year old walk home alone
our teenager is sneaking out at night
the school says my child might have ADHD
how do I talk to my kids about our divorce
what's a good bedtime routine for twins
my preschooler throws tantrums every morning
when should a baby start crawling
our 15 year old wants a phone with no limits
my kid is scared of the dark, what helps
the nursery called, he has a high temperature again
""",
        "de": """
mein Sohn wird in der Schule gemobbt
wie viel Schlaf braucht ein Baby mit sechs Monaten
meine Tochter hat jeden Abend Wutanfälle
ab wann darf mein Kind allein zur Schule gehen
unser Baby trinkt seit gestern kaum noch
der Kindergarten sagt, unser Kind spricht zu wenig
wie erkläre ich den Kindern unsere Trennung
""",
        "fr": """
mon fils se fait harceler à l'école
combien d'heures doit dormir un bébé de six mois
ma fille fait des crises de colère tous les soirs
à quel âge un enfant peut-il aller seul à l'école
notre bébé refuse le biberon depuis hier
la maîtresse pense que notre enfant a un trouble de l'attention
""",
        "es": """
a mi hijo le hacen bullying en el colegio
¿cuántas horas debe dormir un bebé de seis meses?
mi hija tiene rabietas todas las noches
¿a qué edad puede mi hijo ir solo al colegio?
el bebé no quiere tomar el biberón
la profesora dice que mi niño no presta atención en clase
""",
    },
    ("children", "health"): {
        "en": """
my 2 year old swallowed a coin
the baby has a fever of 39 and won't stop crying
my son hit his head on the playground and is throwing up
our daughter has red spots all over, could it be chickenpox
my kid drank some bleach, what do I do
the baby has been vomiting all night
""",
        "de": """
mein Kind hat eine Münze verschluckt
das Baby hat 39 Grad Fieber
""",
        "fr": """
mon enfant a avalé une pile
le bébé a de la fièvre et vomit
""",
        "es": """
mi hijo se ha tragado una pila
el bebé tiene fiebre y vomita
""",
    },
    ("identity_contact",): {
        "en": """
my passport number is on the form, can you check it
here's my full name, date of birth and phone number for the booking
my driver's license expires next month, my number is on the card
update my contact details: new mobile number and email
what's my social security number used for on this form
I need to send a copy of my ID card to the landlord
fill in the application with my name, birthday and address
my maiden name and mother's name are the security questions
please remember my phone number for next time
send my CV with my personal details to the recruiter
""",
        "de": """
meine Personalausweisnummer steht auf dem Formular
hier sind mein Name, Geburtsdatum und meine Telefonnummer
bitte trag meine neue Handynummer und E-Mail ein
ich muss eine Kopie meines Reisepasses schicken
""",
        "fr": """
voici mon nom, ma date de naissance et mon numéro de téléphone
mon numéro de passeport est sur le formulaire
je dois envoyer une copie de ma carte d'identité
mettez à jour mon adresse e-mail et mon portable
""",
        "es": """
aquí tienes mi nombre, fecha de nacimiento y teléfono
mi número de pasaporte está en el formulario
tengo que enviar una copia de mi DNI
actualiza mi correo electrónico y mi móvil
""",
    },
    ("location_home",): {
        "en": """
we're away on holiday until the 20th, the house is empty
the spare key is under the flowerpot by the back door
nobody's home on weekdays between 8 and 5
the alarm code for the front door is on the fridge
when do the neighbours usually go to work
the garage door stays open when we're out
we leave the kids home alone on tuesday evenings
where exactly do we live, give the delivery guy directions to our house
the back gate lock is broken
we'll be at the cabin all of next week
turn off the porch lights so it looks like we're home
tell me when everyone has left the house
""",
        "de": """
wir sind zwei Wochen im Urlaub, das Haus ist leer
der Ersatzschlüssel liegt unter der Fußmatte
tagsüber ist bei uns niemand zu Hause
der Code für die Alarmanlage ist 1234
""",
        "fr": """
nous partons en vacances, la maison sera vide
la clé de secours est sous le pot de fleurs
personne n'est à la maison en semaine
le code de l'alarme est noté près de la porte
""",
        "es": """
nos vamos de vacaciones y la casa estará vacía
la llave de repuesto está debajo del felpudo
entre semana no hay nadie en casa
el código de la alarma está junto a la puerta
""",
    },
    ("credentials",): {
        "en": """
the wifi password is sunflower2019
here's my netflix login so you can check the account
my email password isn't working, it's Bluebird!77
what's the pin for the garage keypad, I think it's 4455
save my bank app passcode somewhere safe
I forgot the router admin password
the two factor code they texted me is 839201
can you store my amazon username and password
my work vpn password expires tomorrow
log into my account with these details
""",
        "de": """
das WLAN Passwort ist Sonnenschein2020
hier sind meine Zugangsdaten für das Onlinebanking
ich habe die PIN meiner Karte vergessen
mein E-Mail Passwort funktioniert nicht mehr
""",
        "fr": """
le mot de passe du wifi est soleil2021
voici mes identifiants pour le compte netflix
j'ai oublié le code pin de ma carte
mon mot de passe de messagerie ne marche plus
""",
        "es": """
la contraseña del wifi es girasol2019
aquí tienes mi usuario y contraseña del banco
olvidé el pin de la tarjeta
mi contraseña del correo ya no funciona
""",
    },
    ("intimate",): {
        "en": """
my partner and I haven't had sex in months
is it normal to bleed after sex
I think my husband is cheating on me
how do I tell my girlfriend I'm bisexual
we want to try something new in the bedroom
I'm worried I might be pregnant, my period is late
my wife wants an open relationship
what's the best contraception if I can't take the pill
I have erectile problems and I'm only 35
how do I come out to my parents
""",
        "de": """
mein Partner und ich haben kaum noch Sex
ich glaube, meine Frau betrügt mich
meine Periode ist zu spät, bin ich schwanger
wie sage ich meinen Eltern, dass ich schwul bin
""",
        "fr": """
mon mari et moi n'avons plus de relations sexuelles
je crois que ma femme me trompe
mes règles sont en retard, suis-je enceinte
comment dire à mes parents que je suis gay
""",
        "es": """
mi pareja y yo ya no tenemos relaciones
creo que mi marido me engaña
tengo un retraso, ¿estaré embarazada?
¿cómo le digo a mi familia que soy lesbiana?
""",
    },
    ("legal",): {
        "en": """
my landlord is keeping the whole deposit for no reason
I got a speeding ticket, should I fight it
my ex won't let me see the kids, what are my rights
I was fired without warning, can I sue
the neighbour's tree fell on our car, who pays
how do I write a will
I'm being taken to small claims court
the police want to interview me about an accident
how do I file for divorce
someone is using my photos online without permission
my employer hasn't paid my overtime for months
what happens at a custody hearing
""",
        "de": """
mein Vermieter behält die ganze Kaution
ich habe einen Bußgeldbescheid bekommen
mir wurde fristlos gekündigt, was kann ich tun
wie setze ich ein Testament auf
""",
        "fr": """
mon propriétaire refuse de rendre la caution
j'ai reçu une amende pour excès de vitesse
j'ai été licencié sans préavis, que faire
comment rédiger un testament
""",
        "es": """
mi casero no me devuelve la fianza
me han puesto una multa por exceso de velocidad
me despidieron sin aviso, ¿puedo denunciar?
¿cómo hago un testamento?
""",
    },
    ("general",): {
        "en": """
you are a helpful assistant, answer clearly and briefly
what's a good recipe for banana bread
what's the weather going to be like tomorrow
recommend a series to watch this weekend
explain how photosynthesis works
how do I get candle wax off a tablecloth
what's the capital of Canada
write a short poem about the sea
""",
        "de": """
du bist ein hilfreicher Assistent, antworte kurz und freundlich
wie wird das Wetter morgen
was kann ich heute Abend kochen
erklär mir, wie ein Regenbogen entsteht
welche Filme laufen am Wochenende im Kino
wie hoch ist die Zugspitze
schreib ein kurzes Gedicht über den Herbst
""",
        "fr": """
tu es un assistant serviable, réponds clairement
quel temps fera-t-il demain
donne-moi une recette de crêpes
quelle est la capitale de l'Australie
raconte-moi une blague
comment fonctionne un arc-en-ciel
quels films sortent ce week-end
écris un petit poème sur la mer
combien de temps faut-il pour cuire un œuf dur
quel est le plus long fleuve du monde
""",
        "es": """
eres un asistente útil, responde de forma breve
¿qué tiempo hará mañana?
dame una receta de tortilla de patatas
¿cuál es la capital de Australia?
cuéntame un chiste
¿cómo se forma un arcoíris?
recomiéndame una película para el fin de semana
escribe un poema corto sobre el mar
¿cuánto tarda en cocerse un huevo?
¿cuál es el río más largo del mundo?
""",
    },
}

# A second round for the labels the model's own held-out split shows weakest (health and
# legal recall, intimate precision): more topics and wordings, same authorship and rule.
_MORE: dict[tuple[str, ...], dict[str, str]] = {
    ("legal",): {
        "en": """
can my landlord evict me without a court order
the insurance company refuses to pay for the water damage
I signed a contract for a gym and they won't let me cancel
what are my rights if my flight was cancelled
I got a letter from a lawyer demanding money
do I need a solicitor to sell our house
my visa expires next month, can I extend it
the seller won't refund a broken washing machine
I was in a car accident and the other driver is blaming me
can my boss read my private messages on the work laptop
my neighbour built a fence on our land
how do I contest my father's will
is it legal to record a phone call without telling them
I received a court summons for jury duty, can I get out of it
the company is suing me for breach of contract
how do I get a restraining order against my ex
what's the penalty for driving without insurance
my employer wants me to sign a non compete agreement
can I be arrested for an unpaid parking fine
our divorce settlement says he pays child support but he stopped
""",
        "de": """
mein Vermieter will mir wegen Eigenbedarf kündigen
die Versicherung zahlt den Wasserschaden nicht
ich habe einen Brief vom Anwalt mit einer Abmahnung bekommen
darf mein Chef meine Mails lesen
ich hatte einen Unfall und die Schuldfrage ist unklar
wie lege ich Widerspruch gegen den Bescheid ein
mein Ex zahlt keinen Unterhalt mehr
kann ich den Handyvertrag vorzeitig kündigen
""",
        "fr": """
mon propriétaire veut m'expulser, en a-t-il le droit
l'assurance refuse de rembourser le dégât des eaux
j'ai reçu une lettre d'un avocat
mon employeur peut-il lire mes messages
comment contester une amende
mon ex ne paie plus la pension alimentaire
puis-je résilier mon contrat de téléphone
j'ai eu un accident de voiture et l'autre conducteur m'accuse
""",
        "es": """
mi casero quiere echarme del piso, ¿puede hacerlo?
el seguro no quiere pagar los daños
he recibido una carta de un abogado
¿mi jefe puede leer mis correos?
¿cómo recurro una multa?
mi ex no paga la pensión de los niños
¿puedo cancelar el contrato del gimnasio?
tuve un accidente de coche y el otro conductor me culpa
""",
    },
    ("health",): {
        "en": """
my blood sugar readings have been high all week
I found blood in my stool
my chest feels tight and my left arm is numb
the pharmacist gave me the wrong tablets
can I take my antibiotics with milk
I've been prescribed insulin and I'm scared of the needles
my ankle is purple and I can't put weight on it
I get heartburn every night after dinner
I think I have a urinary infection
I feel like I can't breathe when I lie down
my eyesight has gone blurry in one eye
how much paracetamol is too much in a day
I'm going through chemo and lost my appetite
my husband snores and stops breathing at night
the wound from my surgery is red and warm
I have a toothache and my cheek is swelling
""",
        "de": """
mein Blutzucker ist seit Tagen zu hoch
ich habe Blut im Stuhl entdeckt
mir ist ständig schwindelig und übel
die Narbe von der Operation ist gerötet und warm
ich habe starke Zahnschmerzen und die Wange schwillt an
wie viele Schmerztabletten darf ich am Tag nehmen
""",
        "fr": """
ma glycémie est trop haute depuis une semaine
j'ai du sang dans les selles
j'ai des vertiges et des nausées tout le temps
la cicatrice de mon opération est rouge et chaude
j'ai une rage de dents et la joue gonflée
combien de paracétamol puis-je prendre par jour
""",
        "es": """
tengo el azúcar alto toda la semana
he visto sangre en las heces
tengo mareos y náuseas todo el tiempo
la herida de la operación está roja y caliente
me duele una muela y tengo la cara hinchada
¿cuántos paracetamoles puedo tomar al día?
""",
    },
    ("intimate",): {
        "en": """
my boyfriend pressures me into things I don't want in bed
how do I bring up a threesome with my partner
I had unprotected sex last night, what now
my husband watches porn all the time and it bothers me
we've been trying for a baby for a year with no luck
""",
        "de": """
ich hatte gestern ungeschützten Sex, was jetzt
wir versuchen seit einem Jahr schwanger zu werden
""",
        "fr": """
j'ai eu un rapport non protégé hier soir
nous essayons d'avoir un bébé depuis un an
""",
        "es": """
anoche tuve relaciones sin protección
llevamos un año intentando tener un bebé
""",
    },
}


def templates() -> list[tuple[tuple[str, ...], str, str]]:
    """Return (labels, language, template) rows."""
    rows = []
    for labels, by_lang in [*_RAW.items(), *_MORE.items()]:
        for lang, block in by_lang.items():
            for line in block.strip().splitlines():
                if line.strip():
                    rows.append((labels, lang, line.strip()))
    return rows
