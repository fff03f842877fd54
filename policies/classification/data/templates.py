"""Templates and slot values for the sensitivity dataset (see generate.py)."""

from __future__ import annotations

SLOTS: dict[str, list[str]] = {
    "kid": [
        "Emma",
        "Noah",
        "Mia",
        "Liam",
        "Sophie",
        "Ben",
        "Lena",
        "Jonas",
        "Chloé",
        "Lucas",
        "Ava",
        "Leo",
        "Maya",
        "Finn",
        "my son",
        "my daughter",
        "the kids",
        "our toddler",
        "my 6 year old",
        "my teenager",
    ],
    "kid_de": [
        "Emma",
        "Noah",
        "Mia",
        "Paul",
        "Lena",
        "Jonas",
        "mein Sohn",
        "meine Tochter",
        "die Kinder",
        "unser Kleiner",
    ],
    "person": [
        "Anna",
        "Tom",
        "Mr. Patel",
        "Sarah Miller",
        "my mom",
        "my boss",
        "Jake",
        "Grandma",
        "our neighbour",
        "Dr. Weber",
    ],
    "symptom": [
        "a fever",
        "a rash",
        "chest pain",
        "a bad cough",
        "migraines",
        "back pain",
        "diarrhea",
        "a sore throat",
        "dizziness",
        "insomnia",
        "an ear infection",
        "high blood pressure",
        "heart palpitations",
        "a swollen ankle",
        "stomach cramps",
        "a lump in my breast",
        "blood in my urine",
        "shortness of breath",
    ],
    "symptom_de": [
        "Fieber",
        "Ausschlag",
        "Brustschmerzen",
        "starken Husten",
        "Migräne",
        "Rückenschmerzen",
        "Durchfall",
        "Halsschmerzen",
        "Schwindel",
        "Schlafstörungen",
        "Bluthochdruck",
    ],
    "drug": [
        "ibuprofen",
        "paracetamol",
        "amoxicillin",
        "metformin",
        "sertraline",
        "insulin",
        "ritalin",
        "lisinopril",
        "antihistamines",
        "melatonin",
        "prednisone",
        "the pill",
        "adderall",
        "xanax",
    ],
    "condition": [
        "diabetes",
        "ADHD",
        "depression",
        "anxiety",
        "asthma",
        "cancer",
        "HIV",
        "celiac disease",
        "bipolar disorder",
        "an eating disorder",
        "long covid",
        "epilepsy",
        "autism",
        "PTSD",
        "endometriosis",
        "dementia",
    ],
    "condition_de": [
        "Diabetes",
        "ADHS",
        "Depressionen",
        "Angststörung",
        "Asthma",
        "Krebs",
        "Zöliakie",
        "Demenz",
        "Epilepsie",
    ],
    "money": [
        "$200",
        "$1,500",
        "€3,000",
        "£450",
        "40k",
        "$12,000",
        "500 euros",
        "two grand",
        "$85",
    ],
    "bank": [
        "Chase",
        "Wells Fargo",
        "Barclays",
        "Sparkasse",
        "ING",
        "Revolut",
        "N26",
        "Bank of America",
        "Deutsche Bank",
        "my credit union",
    ],
    "stock": [
        "Apple",
        "Tesla",
        "Nvidia",
        "Amazon",
        "Microsoft",
        "an S&P 500 index fund",
        "bitcoin",
        "ethereum",
        "Siemens",
        "Volkswagen",
    ],
    "city": [
        "Chicago",
        "Berlin",
        "Paris",
        "Madrid",
        "Toronto",
        "Munich",
        "London",
        "Austin",
        "Lyon",
        "Hamburg",
        "Seattle",
        "Vienna",
    ],
    "place": [
        "the park",
        "school",
        "the grocery store",
        "work",
        "the gym",
        "grandma's house",
        "the airport",
        "the train station",
        "the library",
        "the mall",
    ],
    "topic": [
        "black holes",
        "the Roman empire",
        "photosynthesis",
        "how vaccines were invented",
        "the French revolution",
        "volcanoes",
        "the moon landing",
        "climate change",
        "how rainbows form",
        "dinosaurs",
        "the pyramids",
        "World War 2",
        "the water cycle",
        "quantum computers",
        "bees",
    ],
    "topic_de": [
        "schwarze Löcher",
        "das Römische Reich",
        "Photosynthese",
        "Vulkane",
        "die Mondlandung",
        "den Klimawandel",
        "Dinosaurier",
        "die Pyramiden",
        "Bienen",
    ],
    "food": [
        "apple pie",
        "lasagna",
        "banana bread",
        "chicken curry",
        "pancakes",
        "a vegan chili",
        "sourdough bread",
        "guacamole",
        "tiramisu",
        "mac and cheese",
        "a caesar salad",
        "risotto",
    ],
    "food_de": [
        "Apfelkuchen",
        "Lasagne",
        "Bananenbrot",
        "Pfannkuchen",
        "Kartoffelsalat",
        "Gulasch",
        "Käsespätzle",
    ],
    "song": [
        "Bohemian Rhapsody",
        "something by Taylor Swift",
        "jazz for cooking",
        "the Frozen soundtrack",
        "lo-fi beats",
        "my workout playlist",
        "classical music",
        "the latest Drake album",
    ],
    "device": [
        "the router",
        "my printer",
        "the smart TV",
        "my laptop",
        "the thermostat",
        "the doorbell camera",
        "my phone",
        "the dishwasher",
        "the robot vacuum",
        "bluetooth headphones",
    ],
    "service": [
        "Netflix",
        "my Gmail",
        "Amazon",
        "the wifi",
        "my bank app",
        "Instagram",
        "my Apple ID",
        "Steam",
        "Spotify",
        "the router admin page",
        "PayPal",
        "my work VPN",
    ],
    "pw": [
        "Sunflower2019!",
        "hunter2",
        "Tr0ub4dor&3",
        "letmein123",
        "Bella#2015",
        "qwerty!987",
        "Passw0rd!",
        "MyDog$Rex7",
    ],
    "lawthing": [
        "a speeding ticket",
        "a DUI charge",
        "my divorce",
        "child custody",
        "a landlord dispute",
        "a small claims case",
        "a cease and desist letter",
        "an immigration hearing",
        "a wrongful termination",
        "my will",
        "a restraining order",
        "a lawsuit from my neighbour",
    ],
    "lawthing_de": [
        "einen Strafzettel",
        "meine Scheidung",
        "das Sorgerecht",
        "einen Streit mit dem Vermieter",
        "eine Abmahnung",
        "mein Testament",
        "eine Kündigung",
    ],
    "intimate": [
        "my sex life",
        "erectile dysfunction",
        "a threesome",
        "my sexual orientation",
        "coming out to my parents",
        "my affair",
        "sexting",
        "birth control after sex",
        "an STD test",
        "my partner's kinks",
        "porn addiction",
        "losing my virginity",
    ],
    "street": [
        "12 Oak Street",
        "Hauptstraße 5",
        "45 Elm Road",
        "our street",
        "Maple Avenue",
        "221B Baker Street",
        "Lindenweg 3",
    ],
    "weekday": [
        "monday",
        "tuesday",
        "friday",
        "the weekend",
        "tomorrow",
        "tonight",
        "next week",
    ],
    "sport": [
        "the Lakers",
        "Bayern Munich",
        "the World Cup",
        "the Super Bowl",
        "Wimbledon",
        "the Tour de France",
        "the Premier League",
    ],
    "animal": [
        "cats",
        "dogs",
        "octopuses",
        "penguins",
        "elephants",
        "sharks",
        "owls",
        "hamsters",
    ],
    "lang": ["Spanish", "French", "German", "Japanese", "Italian"],
    "number": ["7", "12", "25", "100", "3", "48"],
}

_RAW: dict[tuple[str, ...], dict[str, str]] = {
    ("general",): {
        "en": """
what's a good gift for a ten year old who likes science
how do airplanes stay in the air
suggest a movie for a family night with popcorn
what is the difference between weather and climate
how many ounces are in a pound
make me a workout plan with no equipment
what's the best time of year to visit {city}
what does the fox say
how do I unclog a drain without chemicals
tell me the news headlines
who wrote pride and prejudice
recommend a book like the hunger games
what's trending on the internet today
how do magnets work
what should I name my new puppy
teach me three words in {lang}
is pluto a planet
what's the score of the {sport} game
help me write a thank you note to a neighbour who watered our plants
how do I make cold brew coffee
what's on my calendar is not something I need, just tell me a fun fact
how long do {animal} live
how do I make my houseplants grow faster
what's the origin of halloween
write a limerick about a cat who loves lasagna
what's the difference between baking soda and baking powder
can you explain how interest works in a savings game for kids
how does a credit card machine work technically
describe the banking system of ancient Rome
what's the plot of the movie Wall Street
who founded Apple and when
how does a password hashing algorithm work in general
explain how doctors were trained in the middle ages
what's the history of the police in England
how did the first banks start
write a story about a detective solving a case
here is a long one: we are redoing the kitchen and want a warm scandinavian look with light wood, white walls and some green plants. what colours for the cabinets and which lamps would fit, and roughly what order should the work happen in
I'm planning a board game night for eight people next saturday. some like strategy, others just want to laugh. suggest a mix of games, snacks and a rough schedule so nobody gets bored
what's the weather like in {city} {weekday}
set a timer for {number} minutes
how do I make {food}
give me a recipe for {food} that kids will like
play {song}
tell me a joke about {animal}
how far is the moon from the earth
explain {topic} in simple terms
who won {sport} last year
what time is it in {city}
convert {number} cups to grams
translate good morning into {lang}
what's a good name for a goldfish
how many calories are in {food}
remind me what the capital of Australia is
write a short poem about autumn leaves
why is the sky blue
how does {device} work
how do I connect {device} to bluetooth
what's the difference between a crocodile and an alligator
summarize the plot of Harry Potter
what movies are playing this {weekday}
is it going to rain in {city} {weekday}
turn off the lights in the living room
add milk and eggs to the shopping list
what's the best way to clean a cast iron pan
how tall is the Eiffel tower
suggest a board game for four adults
what rhymes with orange
how do I fold a fitted sheet
what's apple pie made of
how do you grow tomatoes on a balcony
help me plan a day trip to {city}
what are fun facts about {animal}
how long should I boil an egg
write a birthday message for a coworker card
what year did the Berlin wall fall
who painted the Mona Lisa
how do I change a bike tire
spell the word necessary
what's the history of the credit card
what's the stock market, explain it like a story for a kid
how do banks work in a board game like monopoly
what does an apple tree need to grow
recommend a podcast about {topic}
how do I get rid of fruit flies in the kitchen
what is the password game everyone is talking about
what are the rules of chess
give me ideas for a rainy {weekday}
what's the population of {city}
how many players are on a soccer team
tell me something interesting about {topic}
what is a black friday deal
who was the first person in space
how do I make my sourdough starter more active
what's a good stretch after running
what is the tallest mountain in europe
explain how a bill becomes a law in school civics terms
what's the healthiest breakfast cereal
how do I remove a red wine stain from a carpet
""",
        "de": """
was ist ein gutes Geschenk für einen zehnjährigen
wie funktionieren Magnete
empfiehl mir einen Film für den Familienabend
wer hat Faust geschrieben
wie mache ich kalten Kaffee
wie lange leben Katzen
wie wird das Wetter in {city} {weekday}
stell einen Timer auf {number} Minuten
wie backe ich {food_de}
spiel {song}
erzähl mir einen Witz über Katzen
erklär mir {topic_de}
wie spät ist es in {city}
was reimt sich auf Haus
wie hoch ist die Zugspitze
schreib ein kurzes Gedicht über den Herbst
warum ist der Himmel blau
füge Milch und Brot zur Einkaufsliste hinzu
mach das Licht im Wohnzimmer aus
was läuft heute im Kino
wie lange kocht ein Ei
welche Brettspiele sind gut für vier Personen
wer hat die Fußball WM gewonnen
wie funktioniert ein Kühlschrank
übersetze guten Morgen auf {lang}
""",
        "fr": """
quel temps fait-il à {city} demain
mets un minuteur de {number} minutes
comment faire une tarte aux pommes
raconte-moi une blague
explique-moi les trous noirs simplement
joue de la musique classique
""",
        "es": """
qué tiempo hace en {city} mañana
pon un temporizador de {number} minutos
cómo se hace una tortilla de patatas
cuéntame un chiste
explícame los volcanes de forma sencilla
""",
    },
    ("health",): {
        "en": """
is it bad that my heart races when I climb stairs
how many hours of sleep do I need, I only get four and feel awful
what vitamins should I take during chemo
my knee clicks and hurts after running
how do I know if a mole is cancerous
I feel hopeless every morning and can't get out of bed
how soon after a positive covid test can I go back to work
my urine is dark and I feel tired all the time
can stress cause hair loss, I'm losing clumps
schedule my physiotherapy appointment for thursday
what's a normal A1C level, mine came back at 8.2
how do I taper off antidepressants safely
I've been throwing up since last night and can't keep water down
what's the recovery time after a hysterectomy
I get out of breath walking upstairs, should I worry
so for the last month I've had this dull ache on the right side under my ribs, it gets worse after fatty food and sometimes goes to my back. I'm 45 and a bit overweight. what could it be and which kind of doctor should I see
I've had {symptom} for three days, should I see a doctor
what's the max dose of {drug} per day
can I take {drug} with alcohol
my doctor says I might have {condition}, what does that mean
what are early signs of {condition}
I was just diagnosed with {condition} and I'm scared
how do I lower my blood sugar naturally
is {symptom} a side effect of {drug}
I keep waking up at 3am with {symptom}
what should my resting heart rate be, mine is 110
how do I tell my boss I have {condition}
what foods help with {condition}
my blood test shows high cholesterol, what now
is it safe to stop taking {drug} suddenly
I think I'm having a panic attack what do I do
how long does it take to recover from knee surgery
remind me to take my {drug} at 8pm every day
what does an MRI show for {symptom}
I'm pregnant, can I still take {drug}
how much weight can I lose safely in a month, I weigh 210 pounds
what therapy works best for {condition}
my mammogram results came back abnormal
symptoms of a heart attack in women
how do I find a psychiatrist near me
my therapist thinks I have {condition}
""",
        "de": """
ich schlafe seit Wochen schlecht und bin ständig müde
mein Knie tut beim Laufen weh
wie setze ich Antidepressiva sicher ab
ich muss seit gestern Abend ständig erbrechen
ich habe seit drei Tagen {symptom_de}, soll ich zum Arzt
wie viel {drug} darf ich am Tag nehmen
mein Arzt vermutet {condition_de}, was bedeutet das
kann ich {drug} mit Alkohol nehmen
was hilft gegen {symptom_de}
erinnere mich jeden Abend an meine Tabletten
mein Blutdruck ist 160 zu 100, ist das gefährlich
ich habe die Diagnose {condition_de} bekommen
""",
        "fr": """
j'ai de la fièvre depuis trois jours, dois-je voir un médecin
quelle est la dose maximale de {drug} par jour
""",
        "es": """
tengo dolor de pecho desde ayer, qué hago
puedo tomar {drug} con alcohol
""",
    },
    ("finance",): {
        "en": """
how much tax will I pay on a bonus of {money}
should I pay off my student loans or invest
we have {money} in savings, is that enough to quit my job
what's a good interest rate for a car loan right now
my paycheck was short by {money} this month
how do I set up automatic savings at {bank}
is it worth selling my {stock} shares at a loss for taxes
can I afford a {money} vacation on my salary
how do I read my brokerage statement
my card was declined at the store but I have money in the account
which credit card should I get for travel points
how do I get a loan with bad credit
our household income is {money}, do we qualify for aid
ok so here's the situation: we pay {money} in rent, have two car loans and about {money} on credit cards at 24 percent. my wife just got a raise. should we throw everything at the cards first or build savings
how much should I have in my emergency fund, I earn {money} a month
I owe {money} on my credit card, how do I pay it off fastest
should I buy {stock} stock right now
my {bank} account is overdrawn by {money}
how do I dispute a charge on my {bank} card
is it smart to put {money} into {stock}
how do I file my taxes if I freelance
we're behind on the mortgage, what are our options
my credit score is 580, how do I raise it
help me make a monthly budget, rent is {money}
can I deduct my home office on my tax return
transfer {money} from checking to savings
what's my balance at {bank}
how do I roll over my 401k
is a Roth IRA better than a traditional one for me
I got a letter from the IRS saying I owe {money}
how much did I spend on groceries last month
should we refinance at 6.5 percent
how do I report a fraudulent transaction on my card
my salary is {money}, how much house can I afford
what is {stock} trading at today
how do I split rent fairly with my roommate, I earn {money}
I lent {person} {money} and they won't pay me back
pay the electricity bill from my {bank} account
""",
        "de": """
soll ich erst den Kredit abbezahlen oder sparen
meine Karte wurde abgelehnt, obwohl Geld auf dem Konto ist
wie viel Steuern zahle ich auf meinen Bonus
wie viel sollte ich sparen, ich verdiene {money} im Monat
mein Konto bei der {bank} ist im Minus
soll ich jetzt {stock} Aktien kaufen
wie mache ich meine Steuererklärung als Selbstständiger
überweise {money} auf mein Sparkonto
wir können die Kreditrate nicht mehr zahlen
wie hoch ist mein Kontostand
""",
        "fr": """
combien dois-je épargner avec un salaire de {money}
comment contester un prélèvement sur ma carte bancaire
""",
        "es": """
cuánto debo ahorrar si gano {money} al mes
cómo pago mi deuda de la tarjeta de crédito
""",
    },
    ("children",): {
        "en": """
my toddler bites other kids at daycare
how do I explain divorce to {kid}
{kid} lies all the time, how should I react
set up a chore chart for {kid}
{kid} wants a phone, what age is right
what should {kid} learn before kindergarten
{kid} has nightmares every night this week
find a summer camp for {kid} near us
{kid} refuses to eat vegetables
how do I talk to {kid} about puberty
{kid} got a bad grade in reading, how can I help at home
our baby won't sleep more than two hours at a time
what time should {kid} go to bed on school nights
{kid} won't stop throwing tantrums, what do I do
help {kid} with their math homework on fractions
is it normal that {kid} isn't talking yet at two
how much screen time is ok for {kid}
{kid} is being bullied at school
what should I pack in {kid}'s lunchbox
{kid} wants to know where babies come from, how do I explain
how do I potty train {kid}
read {kid} a bedtime story about dragons
{kid} got detention today, how should I talk about it
is {kid} old enough to walk to school alone
when is {kid}'s parent teacher conference
set a reminder to pick up {kid} from soccer at 5
what are good apps for {kid} to learn reading
{kid} is scared of the dark
how do I set parental controls on the tablet for {kid}
{kid} said a stranger talked to them online
which vaccines does a baby need at 12 months
{kid}'s teacher says they struggle to focus
""",
        "de": """
mein Kleinkind beißt andere Kinder in der Kita
wie erkläre ich {kid_de} die Scheidung
{kid_de} will ein Handy, ab welchem Alter
wann sollte {kid_de} ins Bett gehen
{kid_de} wird in der Schule gemobbt
hilf {kid_de} bei den Hausaufgaben
wie viel Bildschirmzeit ist für {kid_de} okay
erinnere mich, {kid_de} um fünf vom Training abzuholen
{kid_de} hat Angst im Dunkeln
""",
        "fr": """
à quelle heure mon fils doit-il se coucher
ma fille est harcelée à l'école
""",
        "es": """
a qué hora debe dormir mi hijo
mi hija no quiere hacer los deberes
""",
    },
    ("identity_contact",): {
        "en": """
look up the phone number for {person}
what's my own mobile number again
save {person}'s new email address
I changed my last name after the wedding, what documents do I update
someone stole my wallet with my ID card inside
forward this to {person}'s work email
what's my customer number with the phone company
update my profile with my birthday and phone
find {person}'s address in my contacts
how do I freeze my credit after identity theft
what's {person}'s phone number
send an email to {person} saying I'll be late
update my contact info, my new number is 555 201 3344
my email is anna.weber@example.com, sign me up
text {person} that dinner is at seven
what is my passport number again
I need to renew my driver's license, the number is D1234567
fill in this form with my full name and date of birth
add {person} to my contacts with email tom@example.org
my social security number got leaked, what should I do
call {person}
what's the email address of my landlord
write a cover letter, my name is Sarah Jones and my phone is 0151 2345678
someone is using my identity to open accounts
share my contact card with {person}
my maiden name is Fischer and I want to change it back
""",
        "de": """
speichere die neue Mailadresse von {person}
mein Ausweis wurde gestohlen
wie ist die Telefonnummer von {person}
schreib {person} eine Mail, dass ich später komme
meine neue Nummer ist 0171 2345678, speichere sie
mein Personalausweis ist abgelaufen
ruf {person} an
""",
        "fr": """
quel est le numéro de téléphone de {person}
envoie un mail à {person}
""",
        "es": """
llama a {person}
cuál es el correo de {person}
""",
    },
    ("location_home",): {
        "en": """
did anyone open the garage today
set the house to away mode
when does {person} usually leave for work
are all the windows closed
what did the motion sensor see in the backyard last night
lock all the doors at 10pm every night
how long until I'm home
the house alarm went off, what triggered it
turn up the heating before we get home
show me who came to the door while we were out
track my route home and tell {person} when I'm close
we're moving to {city} next month, share the new address with the family
I live at {street}, what's the nearest pharmacy
is anyone home right now
when did the front door last open
unlock the back door
we're going on vacation for two weeks, the house will be empty
what's the fastest way home from {place}
share my live location with {person}
who is at the door
arm the alarm, we're leaving
is the garage door closed
where is {person} right now
show me the doorbell camera
what time does {person} usually get home
turn on the porch light when we're away
what's the code for the front gate
find my phone, I think I left it at {place}
our new address is {street}, update the deliveries
how far is {place} from my house
""",
        "de": """
sind alle Fenster zu
stell das Haus auf Abwesenheit
wer war heute an der Tür
ich wohne in der {street}, wo ist die nächste Apotheke
ist gerade jemand zu Hause
schließ die Haustür ab
wir sind zwei Wochen im Urlaub, das Haus ist leer
wo ist {person} gerade
zeig mir die Kamera an der Haustür
""",
        "fr": """
est-ce que quelqu'un est à la maison
ferme la porte d'entrée
""",
        "es": """
hay alguien en casa ahora
cierra la puerta principal
""",
    },
    ("credentials",): {
        "en": """
what's the login for the smart TV
store my bank PIN somewhere safe
read me my {service} recovery codes
generate a new password for {service} and save it
what's the admin password for the router
paste my API token into the config file
my 2FA code is 482913, log me in
the code for the garage keypad is 7731
I shared my {service} password with {person}, is that bad
update the saved password for {service} to {pw}
what's the passcode for my phone
my {service} password is {pw}, remember it
what's the wifi password
I forgot my {service} password
save this api key: sk-test-4f9a8b7c6d5e
here is my login for {service}: anna77 / {pw}
is {pw} a strong password
reset the password for {service}
the router admin login is admin and {pw}
my PIN is 4821, don't forget it
store my two factor backup codes
my github token is ghp_x8k2m9q7w3e4r5t6y7u8i9o0
log into {service} for me with my password
what's the door code we set last week
here are my AWS keys, set up the cli
change the wifi password to {pw}
someone hacked my {service} account
""",
        "de": """
wie lautet das Admin Passwort vom Router
speichere meine Bank PIN
der Code für das Garagentor ist 7731
mein {service} Passwort ist {pw}
wie lautet das WLAN Passwort
ich habe mein Passwort für {service} vergessen
meine PIN ist 4821
ändere das WLAN Passwort auf {pw}
""",
        "fr": """
mon mot de passe {service} est {pw}
quel est le mot de passe du wifi
""",
        "es": """
mi contraseña de {service} es {pw}
cuál es la contraseña del wifi
""",
    },
    ("intimate",): {
        "en": """
I'm attracted to my best friend and don't know what to do
how do I bring up an open relationship with my wife
is it normal to fantasize about other people
my partner wants to film us, is that a bad idea
I'm nervous about sex after giving birth
how do I tell a new partner about my herpes
I think I'm asexual
my husband found my messages to another man
how do I talk to my partner about {intimate}
is it normal to worry about {intimate}
I think I'm gay, how do I tell my family
my wife doesn't want to have sex anymore
how do I know if I have an STD
my boyfriend wants to try new things in bed
I'm cheating on my husband and feel guilty
give me tips for a first date that ends well tonight
is it normal to have a low libido at 35
help me write a flirty message to {person}
I had unprotected sex last night what should I do
how do I deal with {intimate}
""",
        "de": """
wie spreche ich mit meinem Partner über {intimate}
ich glaube ich bin schwul, wie sage ich es meinen Eltern
meine Frau will keinen Sex mehr
hatte gestern ungeschützten Sex, was nun
""",
        "fr": """
comment parler de sexualité avec mon partenaire
""",
        "es": """
cómo hablo con mi pareja sobre el sexo
""",
    },
    ("legal",): {
        "en": """
my neighbour's tree fell on my car, who pays
can my employer read my private messages
I was fired after reporting harassment, what can I do
what happens if I miss jury duty
my landlord won't return my deposit
do I have to let the police search my car
how do I contest a will
I received a court summons, what does it mean
is it legal to sublet my apartment
someone is using my photos without permission, can I sue
I got {lawthing}, what should I do
do I need a lawyer for {lawthing}
can my landlord evict me without notice
how do I respond to {lawthing}
my employer didn't pay my overtime, can I sue
what are my rights if I'm arrested
how do I write a will
my ex is violating the custody agreement
can I break my lease early without penalty
I was in a car accident and the other driver is suing me
how do I file for divorce in {city}
is it legal to record a phone call with {person}
my visa expires next month, what happens
the police want to question me about {lawthing}
""",
        "de": """
mein Vermieter gibt die Kaution nicht zurück
ich habe eine Vorladung vom Gericht bekommen
ich habe {lawthing_de} bekommen, was tun
brauche ich einen Anwalt für {lawthing_de}
darf mein Vermieter mir einfach kündigen
wie reiche ich die Scheidung ein
""",
        "fr": """
j'ai reçu une amende, que dois-je faire
ai-je besoin d'un avocat pour mon divorce
""",
        "es": """
necesito un abogado para mi divorcio
mi casero quiere echarme, qué derechos tengo
""",
    },
    ("children", "health"): {
        "en": """
{kid} has {symptom}, should I take them to the doctor
how much {drug} can I give {kid}, they weigh 40 pounds
{kid} was diagnosed with {condition}
is it normal for {kid} to have {symptom} after vaccines
""",
        "de": """
{kid_de} hat {symptom_de}, muss ich zum Kinderarzt
wie viel Ibuprofen darf {kid_de} bekommen
""",
    },
    ("finance", "legal"): {
        "en": """
the bank is suing me over {money} of credit card debt
can my wages be garnished for {money} of debt
what happens legally if I can't pay my taxes of {money}
""",
    },
    ("children", "legal"): {
        "en": """
my ex won't let me see {kid}, what are my custody rights
can {kid}'s school share their records without my consent
""",
    },
    ("credentials", "finance"): {
        "en": """
my {bank} online banking password is {pw}
here is my {bank} login and pin so you can check my balance
""",
    },
    ("identity_contact", "location_home"): {
        "en": """
send my home address {street} to {person}
my name is Laura Becker and I live at {street}
""",
    },
    ("health", "intimate"): {
        "en": """
I tested positive for an STD, how do I tell my partner
can {drug} affect my sex drive
""",
    },
}


def _templates() -> list[tuple[tuple[str, ...], str, str]]:
    rows = []
    for labels, by_lang in _RAW.items():
        for lang, block in by_lang.items():
            for line in block.strip().splitlines():
                if line.strip():
                    rows.append((labels, lang, line.strip()))
    return rows


TEMPLATES: list[tuple[tuple[str, ...], str, str]] = _templates()
