"""The built-in safety floor: rules, wording and US resources that are always on.

A practice's ``flows/safety.json`` is merged over this and can add to it, never take away.
Plain data in the same shape as the rules file. Pure: imports nothing.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FLOOR"]

_EN_PEOPLE = (
    "friend*|mom|mother|dad|father|brother*|sister*|son|daughter|kid|kids|child|children|wife|"
    "husband|partner|boyfriend|girlfriend|roommate|cousin|aunt|uncle|grandma|grandmother|grandpa|"
    "grandfather|coworker|classmate|student|client|patient|niece|nephew|neighbor|teen|teenager|ex|"
    "stepdad|stepmom|stepfather|stepmother|baby|family"
)
_ES_PEOPLE = (
    "amigo|amiga|amigos|amigas|hermano|hermana|hijo|hija|hijos|mama|madre|papa|padre|esposo|esposa|"
    "pareja|novio|novia|primo|prima|tio|tia|abuelo|abuela|companero|companera|vecino|vecina|"
    "padrastro|madrastra|familia|bebe"
)
_EN_ABUSERS = (
    "husband|wife|partner|boyfriend|girlfriend|dad|father|mom|mother|stepdad|stepmom|stepfather|"
    "stepmother|uncle|ex|brother|sister|parents|grandpa|grandfather|coach|teacher|boss"
)
_ES_ABUSERS = "esposo|esposa|pareja|novio|novia|papa|padre|mama|madre|padrastro|madrastra|tio|ex"
_EN_TARGETS = "him|her|them|you|someone|somebody|people|everyone|everybody"

FLOOR: dict[str, Any] = {
    "version": 1,
    "locales": ["en", "es"],
    "language": {
        "en": {
            "negations": ["not", "never", "no", "nor"],
            "scope_breakers": ["but", "stop", "stopped", "help", "sure", "know", "why", "if",
                               "whether", "and", "or", "because", "wish", "except", "though",
                               "than", "unless", "until", "think", "feel", "say", "said", "tell",
                               "told", "care", "mind", "afraid", "scared", "even", "anyone",
                               "anybody", "one", "matter", "point", "reason", "way"],
            "contrasts": ["but", "though", "although", "however", "yet", "except"],
            "first_person": ["i", "me", "my", "myself", "we", "us", "ourselves", "mine"],
            "third_party": [f"my|a|our|her|his|their {_EN_PEOPLE}", "someone", "somebody",
                            "he", "she", "they", "someone i know", "a person"],
            "past": ["last year", "years ago", "* years ago", "months ago", "* months ago",
                     "a while ago", "long time ago", "long ago", "when i was",
                     "as a kid|child|teen|teenager", "in high|middle school", "in college",
                     "in the past",
                     "used to", "history of", "back then", "back in", "in 19*|20*", "once before",
                     "years back"],
            "recent": ["today", "tonight", "last night", "this morning|afternoon|evening|week",
                       "yesterday", "right now", "just now", "an hour ago", "hours ago", "again",
                       "still", "earlier today", "just did", "just took"],
            "negation_window": 3,
        },
        "es": {
            "negations": ["no", "nunca", "jamas", "ni", "tampoco"],
            "scope_breakers": ["pero", "sino", "si", "porque", "aunque", "se", "sabe", "dejo",
                               "dejar", "deja", "y", "o", "puedo", "ayuda", "ojala", "creo",
                               "importa", "razon", "nadie"],
            "contrasts": ["pero", "aunque", "embargo"],
            "first_person": ["yo", "me", "mi", "conmigo", "nos", "nosotros", "nosotras"],
            "third_party": [f"mi|mis|un|una|su|nuestro|nuestra {_ES_PEOPLE}", "alguien", "ella",
                            "ellos", "ellas", "alguien que conozco"],
            "past": ["el ano pasado", "hace anos", "hace * anos", "hace meses", "hace * meses",
                     "hace tiempo", "hace mucho", "cuando era", "cuando tenia",
                     "de nino|nina|joven|adolescente", "en el pasado", "solia", "antes",
                     "en la secundaria|prepa|universidad", "en 19*|20*"],
            "recent": ["hoy", "anoche", "esta noche|manana|tarde|semana", "ahora mismo", "ahorita",
                       "ayer", "acabo de", "todavia", "otra vez", "de nuevo", "aun"],
            "negation_window": 3,
        },
    },
    "categories": {
        "suicide_self_harm": {
            "level": "crisis",
            "third_party": "concern",
            "past": "concern",
            "markers": {
                "en": ["pill|pills|gun|guns|firearm|rope|noose|razor|razors|blade|blades|bridge",
                       "have|made|got a plan", "my plan", "planned it", "a note", "suicide note",
                       "goodbye note|letter", "stockpil*", "saving|saved up", "tonight",
                       "said goodbye", "giving away my", "permanently", "forever", "goodbye",
                       "my will", "ready to go|die",
                       "on the roof|ledge|bridge", "(wrote|written|writing) (letters|a letter|"
                       "notes|a note) to my", "feels like relief", "made up my mind"],
                "es": ["pastilla|pastillas|pistola|arma|cuerda|navaja|cuchilla|puente|azotea",
                       "edificio",
                       "tengo|hice un plan", "mi plan", "una nota", "carta de despedida",
                       "esta noche", "me despedi"],
            },
            "exemptions": {
                "en": ["cut|hurt myself shaving|cooking|chopping|accidentally|gardening|running",
                       "cut|hurt myself by accident", "cut myself on a|the knife|glass|paper|can",
                       "hurt myself at|playing|lifting|exercising|skiing|falling|working",
                       "killing myself laughing", "kill myself laughing", "killing myself at work",
                       "take|taking my life back", "end it|things with",
                       "end things on a good note",
                       "suicide prevention|awareness|hotline|lifeline|squad|doors",
                       "die of|from embarrassment|laughter|boredom", "want to die laughing",
                       "died|dying|die laughing", "dead tired|serious|set|end|wrong",
                       "dying to|for|of", "death of me", "near death experience",
                       "i am dead lol", "lol i am dead",
                       "(bored|embarrassed|hungry|tired|happy) i could die",
                       "died|dyed my hair"],
                "es": ["me corte cocinando|rasurandome|afeitandome|sin querer",
                       "amenazo|amenaza|amenazan con matarme",
                       "(quiere|quieren|va a|van a) matarme",
                       "prevencion del suicidio",
                       "me muero de risa|ganas|hambre|sueno|verguenza|calor|frio"],
            },
            "rules": [
                {
                    "id": "floor.suicide.intent",
                    "level": "crisis",
                    "patterns": {
                        "en": ["kill|killing myself", "end|ending my life",
                               "take|taking my own? life",
                               "commit|committing suicide", "suicidal", "suicide plan|thoughts",
                               "thoughts of|about suicide", "thinking of|about suicide",
                               "want|wants|wanting|wanted to die", "want to be dead",
                               "wish i was|were dead", "better off dead", "unaliv*",
                               "do not want to live|exist", "do not want to be alive|here",
                               "not want to be alive", "no reason to live",
                               "going to end it all", "end it all", "feel like ending it",
                               "thinking about|of ending it", "if i killed myself",
                               "hurt*|harm*|cut|cutting|burn*|injur* myself", "self harm",
                               "do not want to wake up", "never wake up", "off myself",
                               "hang myself", "shoot myself",
                               "jump off a|the bridge|building|roof",
                               "not see (the|a|any) point (in|of) (living|life|existing|going on)",
                               "not see the|a|any point in|of being alive|here",
                               "want|going|plan|planning|decided|ready to end it|things|everything",
                               "end it tonight|today|soon", "end things tonight|soon",
                               "(better|happier) if i (was|were) (gone|dead|not here|not around)",
                               "happier without me", "going|want|plan|planning to overdose|od",
                               "plan|plans|planning|planned my suicide", "ways|how to die",
                               "easiest|painless|quickest|fastest way to die|go",
                               "ways|how to kill myself", "use it|them on myself",
                               "gun|pills|rope for myself", "to use on myself",
                               "will not be (here|around) (much longer|anymore|tomorrow)",
                               "this is goodbye", "goodbye forever", "not want to exist",
                               "have|got the|a|my rope|noose|pills|gun ready",
                               "pills|rope|noose|gun is|are ready",
                               "(might|will|could|going to) do to myself", "do something to myself",
                               "not ... make it (through the night|through tonight|till morning)",
                               "stockpil*", "(saving up|hoarding|collecting) my? (pills|meds|"
                               "medication|sleeping pills|painkillers|tablets)",
                               "(drive|driving|crash|crashing) my car (into|off)",
                               "(step|walk|run|jump) in front of a (train|bus|car|truck)",
                               "not worth living", "to not wake up", "not wake up (tomorrow|again)",
                               "stop existing", "cease to exist", "not exist anymore",
                               "cut (deep|deeper|too deep)", "done with (life|living)",
                               "end|ending|take|taking my own life", "kill|killing my own self",
                               "how many (pills|tablets) (it takes|does it take|to die|would kill)",
                               "end this (tonight|today|now|for good)", "tonight is the night",
                               "sitting|standing here with a (razor|blade|gun|knife|rope|noose)",
                               "holding a (razor|blade|gun|rope|noose)",
                               "(relieved|happier|better|easier) if i (died|was dead|were dead|"
                               "was gone|were gone|killed myself|disappeared)",
                               "hang|hanging|hanged myself",
                               "cut|cuts|cutting my (thighs|arms|wrists|wrist|legs|skin|stomach)",
                               "want my life to (be over|end)", "sleep forever",
                               "(standing|sitting) (at|on) the edge of",
                               "by my own hand", "can not do (life|this life) anymore",
                               "(once|when|after) i am (dead|gone)",
                               "until i (do not|never) wake up", "disappear (for good|forever)",
                               "about to end (it|things|everything|my life)"],
                        "es": ["matarme", "me quiero matar", "me voy a matar",
                               "quiero morir|morirme",
                               "me quiero morir", "quitarme la vida", "suicidarme", "suicida",
                               "pensamientos suicidas", "no quiero vivir",
                               "no quiero seguir viviendo", "no quiero estar vivo|viva",
                               "hacerme dano", "lastimarme", "cortarme",
                               "me corto", "me estoy cortando", "acabar|terminar con mi vida",
                               "mejor muerto|muerta", "ojala estuviera muerto|muerta",
                               "quiero estar muerto|muerta", "ahorcarme", "tirarme de|del puente",
                               "(quiero|voy a|pienso|pensando en) suicidar*",
                               "(me quiero|me voy a) suicidar",
                               "no quiero seguir aqui|viviendo|existiendo",
                               "no quiero estar aqui", "no quiero existir",
                               "me corte|cortare las venas|munecas|brazos|piernas",
                               "me corte a proposito", "cortarme las venas|munecas",
                               "formas|maneras de morir|matarme", "acabar con todo",
                               "no quiero (despertar|despertarme)", "no (vale|tiene) la pena vivir",
                               "ganas de (morir|morirme|matarme)",
                               "quiero (dejar de existir|desaparecer para siempre)",
                               "(quitarme|me quito|me quite|quitar) la vida",
                               "(quisiera|quiero|ojala) estar (muerto|muerta)",
                               "(quiero irme|irme|me quiero ir|me voy) de este mundo",
                               "me corte (otra vez|de nuevo)"],
                    },
                    "examples": {"en": ["I want to kill myself", "im suicidal", "kms",
                                        "I want 2 die", "k1ll my self"],
                                 "es": ["Quiero morir", "me quiero matar"]},
                },
                {
                    "id": "floor.suicide.attempt",
                    "level": "crisis",
                    "patterns": {
                        "en": ["tried|trying to kill myself", "attempted suicide",
                               "suicide attempt*", "took|swallowed all my pills|medication",
                               "overdosed on purpose",
                               "(took|swallowed|taken) (a bottle|a handful|a bunch|a lot|all) of "
                               "(my|the|her|his)? (pills|tablets|meds|medication|antidepressants|"
                               "sleeping pills|painkillers)",
                               "took|swallowed|taken a whole bottle"],
                        "es": ["intente matarme|suicidarme", "intento de suicidio",
                               "me tome todas las|mis pastillas"],
                    },
                    "examples": {"en": ["I tried to kill myself tonight"],
                                 "es": ["intenté suicidarme anoche"]},
                },
                {
                    "id": "floor.suicide.someone_else",
                    "level": "concern",
                    "patterns": {
                        "en": ["kill|killing himself|herself|themselves",
                               "cutting|hurting|harming himself|herself|themselves",
                               "lost * to suicide", "lost my * to suicide",
                               "end|ending his|her|their life", "took his|her|their own life",
                               "died by suicide", "committed suicide"],
                        "es": ["matarse", "suicidarse", "quitarse la vida", "se quiere matar",
                               "se va a matar", "se suicido", "quiere (morir|morirse)",
                               "se quito la vida"],
                    },
                    "examples": {"en": ["my friend wants to kill herself"],
                                 "es": ["mi amiga quiere matarse"]},
                },
                {
                    "id": "floor.suicide.hopeless",
                    "level": "concern",
                    "patterns": {
                        "en": ["hopeless", "can not go on", "can not do this anymore",
                               "can not take it anymore", "no point in living|going on",
                               "tired of living|life", "give|giving up on life",
                               "want to disappear", "nothing to live for",
                               "want (it all|everything) to (stop|end)", "make it all stop",
                               "(its|it is) over for me", "done with (it all|everything)",
                               "thinking (of|about) jumping", "want to jump",
                               "(picturing|imagining|planning) my own? funeral",
                               "in case i am not (around|here)", "when|after i am gone",
                               "empty and worthless", "i am worthless", "relapsed",
                               "attempted (once|twice|before|several times)",
                               "going to take (them all|them|all of them|it all)",
                               "no reason to (keep going|go on)", "nothing will ever? get better",
                               "never going to get better", "i ... (die|died|dead|death)",
                               "thinking about using (it|the gun|them)", "i want out",
                               "(wrote|written|writing|made) my will"],
                        "es": ["sin esperanza", "ya no puedo mas", "no puedo mas", "no aguanto mas",
                               "quiero saltar", "quiero tirarme", "me las voy a tomar",
                               "no tiene sentido vivir", "quiero desaparecer",
                               "cansado|cansada de vivir", "nada por que|para vivir"],
                    },
                    "examples": {"en": ["I feel hopeless"], "es": ["ya no puedo más"]},
                },
                {
                    "id": "floor.suicide.mention",
                    "level": "concern",
                    "patterns": {"en": ["suicide"], "es": ["suicidio"]},
                    "examples": {"en": ["I've been reading about suicide"],
                                 "es": ["pienso en el suicidio"]},
                },
            ],
        },
        "harm_to_others": {
            "level": "crisis",
            "third_party": "concern",
            "past": "concern",
            "markers": {
                "en": ["gun|guns|knife|knives|weapon|rifle", "have|made a plan", "tonight"],
                "es": ["pistola|arma|cuchillo|navaja", "tengo un plan", "esta noche"],
            },
            "exemptions": {
                "en": ["kill|killing|shoot|shooting|murder * in fortnite|minecraft|roblox|valorant|"
                       "warzone|cod|apex|overwatch|halo|game|games|pvp",
                       "kill|killing|shoot|shooting * in the|a game", "kill * with kindness",
                       "kill them with kindness", "hurt his|her|their|your feelings",
                       "shoot|shooting him|her|them|you a text|message|email|note|line",
                       "kill|killing him|her|them|me|us with"],
                "es": ["matarlo|matarla|matarlos en el juego|fortnite|minecraft"],
            },
            "rules": [
                {
                    "id": "floor.others.intent",
                    "level": "crisis",
                    "patterns": {
                        "en": [f"kill|killing|murder|murdering|stab|stabbing {_EN_TARGETS}",
                               "shoot|shooting him|her|them|someone|somebody|people|everyone",
                               "kill|killing|murder|stab|shoot my|his|their "
                               f"{_EN_ABUSERS}|kids|son|daughter|baby|neighbor|roommate|coworker*",
                               "hurt|harm|hurting|harming someone|somebody|people|others|everyone",
                               "hurt|harm my baby|kids|child|children|son|daughter",
                               "homicidal", "thoughts of|about hurting|killing|harming",
                               "shoot up the|my school|office|work|workplace|place",
                               "make them|him|her pay", "urge|urges to hurt|kill|harm",
                               "beat|stab|strangle|choke * to death",
                               "want|going to beat * up",
                               "(imagining|picturing|fantasizing about|fantasize about) "
                               "(strangling|killing|stabbing|hurting|shooting|choking)",
                               "i will kill him|her|them",
                               "(shake|smother|drown|suffocate) (my|the) baby",
                               "run (him|her|them) over", "run over (him|her|them)",
                               "burn (his|her|their) (house|car|place) down"],
                        "es": ["matarlo", "matarla", "matarlos", "matarlas", "voy a matar a",
                               "quiero matar a", "hacerle dano a", "lastimar a alguien",
                               "hacer dano a (alguien|otros|mi bebe|mis hijos)",
                               "pensamientos de hacer dano|matar"],
                    },
                    "examples": {"en": ["I'm going to kill him", "I want to hurt someone"],
                                 "es": ["quiero matarlo"]},
                },
            ],
        },
        "abuse_violence": {
            "level": "crisis",
            "third_party": "concern",
            "past": "concern",
            "markers": {
                "en": ["gun|knife|weapon", "tonight"],
                "es": ["pistola|cuchillo|arma", "esta noche"],
            },
            "exemptions": {
                "en": ["beat|beats me at|in (chess|cards|games|tennis|running|everything|a race|"
                       "the race|a game|the game|golf|poker|basketball|soccer|a match)",
                       "hit me up", "hits me up", "hit me with", "it hit me", "that hit me",
                       "hurts me to say|see|hear|think", "really|deeply|so touched me"],
                "es": ["me pega el sol", "me gano en"],
            },
            "rules": [
                {
                    "id": "floor.abuse.physical",
                    "level": "crisis",
                    "patterns": {
                        "en": ["hits|hit|beats|beat|punches|punched|chokes|choked|strangles|"
                               "strangled|kicks|kicked|slaps|slapped|hurts|abuses|abused|burns me",
                               "beat|beats me up", "being abused", "being hurt at home",
                               "domestic violence", f"afraid|scared|terrified of my {_EN_ABUSERS}",
                               "not safe at home", "afraid|scared to go home",
                               "do not feel safe at home|here", "was|got|been abused",
                               "threatened|threatens|threatening to kill|hurt me",
                               "said he|she|they would|will kill me", "he|she|they will kill me",
                               "will not let me leave", "locks me in|up|out",
                               "hits|beats|chokes|abuses her|him|them",
                               "was|got|been assaulted|attacked|jumped", "assaulted|attacked me",
                               "hitting|beating|hurting|kicking|punching|choking|strangling me",
                               "hands (around|on) my (neck|throat)",
                               "(he|she|they) (is|are)? going to (hurt|kill) me",
                               "hiding from (him|her|them)",
                               "(slammed|smashed|shoved|threw) my? (head|me) (into|against)",
                               "(grabbed|grabs|held|holds) me by the (throat|neck|hair)",
                               "hits|beats|chokes|abuses his|her|their kids|children|son|daughter|"
                               "wife|husband|girlfriend|boyfriend|partner"],
                        "es": ["me pega", "me pegan", "me golpea", "me golpean", "me maltrata",
                               "me pego|golpeo|pegaron|golpearon|lastimo",
                               "me maltratan", "me ahorca", "me estrangula", "me abusa",
                               "abusa|abusan de mi", "violencia domestica|familiar",
                               "me amenaza|amenazo con matarme", "me quiere matar",
                               f"tengo miedo de mi {_ES_ABUSERS}", "no estoy seguro|segura en casa",
                               "miedo de volver|regresar a casa", "no me deja salir",
                               "le pega|golpea|pegan|golpean"],
                    },
                    "examples": {"en": ["my husband hits me", "I'm scared to go home"],
                                 "es": ["mi esposo me pega"]},
                },
                {
                    "id": "floor.abuse.sexual",
                    "level": "crisis",
                    "patterns": {
                        "en": ["raped|rape|molested|molests me", "was|got|been raped",
                               "was|got|been molested", "sexually assaulted|abused",
                               "sexual assault|abuse", "sexually assaulted|abused me",
                               "touches|touched me inappropriately",
                               "touches|touched me down there",
                               "touches me", "inappropriately touched",
                               "forced|forces|makes|made me to? have sex",
                               "forced|forces me to do sexual|things"],
                        "es": ["me violo|violaron", "me violan", "abuso sexual", "abusaron de mi",
                               "abuso de mi", "me toca ahi", "me toca mis partes",
                               "me toca donde no",
                               "me toca de forma",
                               "me tocaba", "me manosea|manoseaba",
                               "me obligo|obliga a tener relaciones",
                               "fui violada|violado", "agresion sexual"],
                    },
                    "examples": {"en": ["I was raped", "my uncle touches me"],
                                 "es": ["me violaron"]},
                },
            ],
        },
        "medical_emergency": {
            "level": "crisis",
            "third_party": "keep",
            "past": "concern",
            "markers": {"en": [], "es": []},
            "exemptions": {
                "en": ["gave|give|giving me a heart attack",
                       "almost|nearly had|gave me? a heart attack",
                       "going to have a heart attack",
                       "overdos* on netflix|tv|coffee|caffeine|sugar|chocolate|candy|cute*|memes",
                       "overdose patients|prevention|awareness|training|kit|kits|reversal",
                       "work|works|working with overdose"],
                "es": ["me va a dar un infarto", "casi me da un infarto"],
            },
            "rules": [
                {
                    "id": "floor.medical.emergency",
                    "level": "crisis",
                    "patterns": {
                        "en": ["chest pain|pains", "heart attack", "having a stroke",
                               "can not breathe", "not breathing", "stopped breathing", "seizure",
                               "overdos*", "took too many pills|tablets",
                               "took a bunch of pills", "unconscious", "will not wake up",
                               "bleeding (a lot|badly|heavily)", "will not stop bleeding",
                               "call|need an ambulance", "allergic reaction",
                               "trouble|difficulty breathing", "hard time breathing",
                               "chest (hurts|is tight|feels tight)", "collapsed",
                               "not responding|responsive",
                               "unresponsive", "throat is closing|swelling",
                               "pain in my chest",
                               "swallowed a (battery|magnet|coin|button battery)",
                               "(vomiting|throwing up|coughing up) blood",
                               "too much of? my (medication|meds|pills|insulin)",
                               "swallowed bleach|poison", "poisoned"],
                        "es": ["dolor en el pecho", "dolor de pecho", "ataque al corazon",
                               "infarto",
                               "no puedo respirar", "no respira", "convulsion*", "sobredosis",
                               "muchas|demasiadas pastillas", "inconsciente", "no despierta",
                               "sangrando mucho", "no para de sangrar", "una ambulancia",
                               "me envenene", "envenenado|envenenada"],
                    },
                    "examples": {"en": ["I have chest pain", "he's not breathing"],
                                 "es": ["no puedo respirar"]},
                },
            ],
        },
    },
    "resources": [
        {"id": "call_988", "href": "tel:988",
         "label": {"en": "Call 988 (Suicide & Crisis Lifeline)",
                   "es": "Llame al 988 (Línea de Prevención del Suicidio y Crisis)"}},
        {"id": "text_988", "href": "sms:988",
         "label": {"en": "Text 988", "es": "Envíe un mensaje de texto al 988"}},
        {"id": "text_741741", "href": "sms:741741?body=HOME",
         "label": {"en": "Text HOME to 741741 (Crisis Text Line)",
                   "es": "Envíe HOME al 741741 (Crisis Text Line)"}},
        {"id": "call_911", "href": "tel:911",
         "label": {"en": "Call 911 in an emergency", "es": "Llame al 911 en una emergencia"}},
    ],
    "responses": {
        "suicide_self_harm": {
            "crisis": {
                "en": "I'm really glad you told me. Your safety matters most right now. If you "
                      "might act on these thoughts, or you are in danger, please call 911 now. "
                      "You can also call or text 988, any time of day or night, to talk with "
                      "someone at the Suicide & Crisis Lifeline. If you'd like, I can connect you "
                      "with a person from our team.",
                "es": "Me alegra mucho que me lo haya dicho. Su seguridad es lo más importante "
                      "ahora. Si podría actuar según estos pensamientos o corre peligro, llame al "
                      "911 ahora. También puede llamar o enviar un mensaje de texto al 988, a "
                      "cualquier hora, para hablar con alguien de la Línea de Prevención del "
                      "Suicidio y Crisis. Si lo desea, puedo comunicarle con una persona de "
                      "nuestro equipo.",
            },
            "concern": {
                "en": "Thank you for sharing that with me. If things ever feel too heavy or "
                      "unsafe, you can call or text 988 at any hour to talk with someone trained "
                      "to listen. In an emergency, call 911. I've let our team know so someone "
                      "can follow up, and we can keep going whenever you're ready.",
                "es": "Gracias por compartir esto conmigo. Si en algún momento las cosas se "
                      "sienten demasiado pesadas o inseguras, puede llamar o enviar un mensaje de "
                      "texto al 988 a cualquier hora. En una emergencia, llame al 911. Le avisé a "
                      "nuestro equipo para que alguien le dé seguimiento, y podemos continuar "
                      "cuando quiera.",
            },
        },
        "harm_to_others": {
            "crisis": {
                "en": "Thank you for telling me. It sounds like things are very intense right "
                      "now. If anyone is in immediate danger, please call 911. You can also call "
                      "or text 988 to talk with a trained counselor right away; they also help "
                      "people who are worried they might hurt someone. If you'd like, I can "
                      "connect you with a person from our team.",
                "es": "Gracias por decírmelo. Parece que las cosas están muy intensas en este "
                      "momento. Si alguien corre peligro inmediato, llame al 911. También puede "
                      "llamar o enviar un mensaje de texto al 988 para hablar ahora con un "
                      "consejero capacitado; también ayudan a personas que temen hacerle daño a "
                      "alguien. Si lo desea, puedo comunicarle con una persona de nuestro equipo.",
            },
            "concern": {
                "en": "Thank you for telling me. If you or anyone else could be in danger, "
                      "please call 911. You can also call or text 988 any time to talk it "
                      "through with a trained counselor. I've let our team know so someone can "
                      "follow up, and we can keep going whenever you're ready.",
                "es": "Gracias por decírmelo. Si usted u otra persona podría estar en peligro, "
                      "llame al 911. También puede llamar o enviar un mensaje de texto al 988 a "
                      "cualquier hora para hablar con un consejero capacitado. Le avisé a nuestro "
                      "equipo para que alguien le dé seguimiento, y podemos continuar cuando "
                      "quiera.",
            },
        },
        "abuse_violence": {
            "crisis": {
                "en": "Thank you for trusting me with this. What is happening is not your fault, "
                      "and you deserve to be safe. If you are in danger right now, please call "
                      "911. If it isn't safe to talk out loud, texting may be easier. If you'd "
                      "like, I can connect you with a person from our team.",
                "es": "Gracias por confiarme esto. Lo que está pasando no es su culpa y usted "
                      "merece estar a salvo. Si corre peligro ahora, llame al 911. Si no es "
                      "seguro hablar en voz alta, puede ser más fácil enviar un mensaje de texto. "
                      "Si lo desea, puedo comunicarle con una persona de nuestro equipo.",
            },
            "concern": {
                "en": "Thank you for telling me. No one deserves to be hurt. If you or someone "
                      "else is in danger, please call 911; you can also call or text 988 at any "
                      "hour. I've let our team know so someone can follow up, and we can keep "
                      "going whenever you're ready.",
                "es": "Gracias por contármelo. Nadie merece que le hagan daño. Si usted u otra "
                      "persona corre peligro, llame al 911; también puede llamar o enviar un "
                      "mensaje de texto al 988 a cualquier hora. Le avisé a nuestro equipo para "
                      "que alguien le dé seguimiento, y podemos continuar cuando quiera.",
            },
        },
        "medical_emergency": {
            "resources": ["call_911"],
            "crisis": {
                "en": "This sounds like it could be a medical emergency. Please call 911 now, or "
                      "go to the nearest emergency room. This chat can't send help. We're here "
                      "whenever you want to continue once you're safe.",
                "es": "Esto podría ser una emergencia médica. Llame al 911 ahora o vaya a la sala "
                      "de emergencias más cercana. Este chat no puede enviar ayuda. Aquí "
                      "estaremos para continuar cuando esté a salvo.",
            },
            "concern": {
                "en": "I'm sorry you're dealing with that. If it gets worse or you feel unsafe, "
                      "please call 911 or go to the nearest emergency room. I've let our team "
                      "know, and we can keep going whenever you're ready.",
                "es": "Siento que esté pasando por eso. Si empeora o se siente en peligro, llame "
                      "al 911 o vaya a la sala de emergencias más cercana. Le avisé a nuestro "
                      "equipo y podemos continuar cuando quiera.",
            },
        },
        "clinical_advice": {
            "advice": {
                "en": "That's a good question to bring to a clinician. I'm the intake assistant, "
                      "so I can't give medical or clinical advice, but one of our clinicians can "
                      "talk it through with you. If you'd like, I can help you start a referral. "
                      "Either way, we can pick up where we left off.",
                "es": "Es una buena pregunta para un profesional clínico. Soy el asistente de "
                      "admisión, así que no puedo dar consejos médicos ni clínicos, pero uno de "
                      "nuestros terapeutas puede hablarlo con usted. Si quiere, puedo ayudarle a "
                      "iniciar una solicitud de atención. De cualquier forma, podemos seguir donde "
                      "lo dejamos.",
            },
        },
        "detector_error": {
            "crisis": {
                "en": "I'm having trouble reading your message right now. If you are in crisis "
                      "or in danger, please call 911, or call or text 988 at any hour. If you'd "
                      "like, I can connect you with a person from our team.",
                "es": "Tengo problemas para leer su mensaje en este momento. Si está en crisis o "
                      "en peligro, llame al 911, o llame o envíe un mensaje de texto al 988 a "
                      "cualquier hora. Si lo desea, puedo comunicarle con una persona de nuestro "
                      "equipo.",
            },
        },
        "default": {
            "crisis": {
                "en": "Thank you for telling me. Your safety matters most. If you are in danger "
                      "right now, please call 911. You can also call or text 988 at any hour. If "
                      "you'd like, I can connect you with a person from our team.",
                "es": "Gracias por decírmelo. Su seguridad es lo más importante. Si corre peligro "
                      "ahora, llame al 911. También puede llamar o enviar un mensaje de texto al "
                      "988 a cualquier hora. Si lo desea, puedo comunicarle con una persona de "
                      "nuestro equipo.",
            },
            "concern": {
                "en": "Thank you for sharing that. If things ever feel unsafe, you can call or "
                      "text 988 at any hour, or call 911 in an emergency. I've let our team know, "
                      "and we can keep going whenever you're ready.",
                "es": "Gracias por compartir esto. Si en algún momento se siente en peligro, "
                      "puede llamar o enviar un mensaje de texto al 988 a cualquier hora, o llamar "
                      "al 911 en una emergencia. Le avisé a nuestro equipo y podemos continuar "
                      "cuando quiera.",
            },
        },
    },
    "actions": [
        {"intent": "human", "label": {"en": "Talk to a person", "es": "Hablar con una persona"}},
    ],
}
