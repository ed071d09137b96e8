"""The built-in safety floor: rules, wording and US resources that are always on.

A practice's ``flows/safety.json`` is merged over this and can add to it, never take away.
Plain data in the same shape as the rules file. Pure: imports nothing.
"""

from __future__ import annotations

from typing import Any

from .tripwire import TRIPWIRE, TRIPWIRE_PREFIX

__all__ = ["FLOOR", "NET_PREFIX", "TRIPWIRE_PREFIX"]

NET_PREFIX = "floor.net."  # the safety net's rule ids (see below)

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

# --- the safety net: word-window families that generalise beyond the phrases above.
#
# The phrase rules above catch what someone wrote down; fresh utterances written before looking
# at them were caught 22-56% of the time. The net reads families instead: a wish near a word of
# dying, a method near a verb of having or taking, a person near a verb of harm with "me" after
# it, a body part near a word of pain. "a ...N b": b up to N words after a; "a ~N b": either
# order. It runs with the floor's own negations, exemptions and context, so "I'm not suicidal"
# stays nothing, talk about someone else is a concern, and so is the past. Each family was
# checked against everyday intake sentences ("my prescription is ready", "my parents made me
# come to therapy", "tomorrow is the day of my interview") so that it does not fire on them.

_EN_PILLS = (
    "(pills|pill|tablets|medication|medications|medicine|medicines|antidepressants|painkillers|"
    "tylenol|ibuprofen|advil|aspirin|xanax|insulin|benadryl|opioids|oxy|oxycodone|percocet|"
    "vicodin|fentanyl|heroin|lithium|klonopin|valium|ambien|seroquel|zoloft|prozac|lexapro|"
    "sertraline|acetaminophen|paracetamol|sleeping pills|sleep medication|bottle of pills)"
)
_EN_DEATH = (  # what a person may wish for themselves
    "(die|be dead|death|not exist|not be alive|stop existing|cease to exist|stop living|not live|"
    "not wake up|never wake up|not to wake up|sleep forever|be gone forever|kill myself|end my "
    "life|take my life|end myself|not be here anymore|not be around anymore|disappear forever|"
    "not be here|not be around|stop breathing|off myself|unalive myself|not be alive anymore)"
)
_EN_SOFT_END = (  # an ending that is not yet death
    "(disappear|vanish|be gone|fade away|end it|end it all|end everything|be over|make it stop|"
    "make it all stop|not feel anything|run away forever|give up on life|give up on everything|"
    "not be me)"
)
_EN_WISH = (
    "want|wanted|wanting|wish|wishing|ready|deserve|deserves|need|needing|longing|"
    "plan|planning|planned|decided|deciding|choose|choosing|prefer"
)
_EN_SELF_BODY = (
    "(myself|my wrist|my wrists|my arm|my arms|my forearm|my forearms|my thigh|my thighs|my leg|"
    "my legs|my skin|my stomach|my belly|my body|my hips|my chest|my neck|my throat|my face|"
    "my ankles|my veins)"
)
_EN_SELF_HARM_VERB = (
    "cut|cutting|slit|slitting|slice|slicing|slash|slashing|carve|carving|carved|burn|burning|"
    "stab|stabbing|punch|punching|hit|hitting|bang|banging|starve|starving|strangle|strangling|"
    "choke|choking|suffocate|suffocating|poison|poisoning|drown|drowning|punish|punishing|hurt|"
    "hurting|harm|harming|injure|injuring|mutilate|mutilating"
)
_EN_PERSON = (
    "he|she|they|husband|wife|partner|boyfriend|girlfriend|dad|father|mom|mother|stepdad|stepmom|"
    "stepfather|stepmother|stepbrother|stepsister|uncle|aunt|brother|sister|cousin|grandpa|"
    "grandfather|grandma|grandmother|parents|parent|coach|teacher|boss|ex|fiance|fiancee|"
    "babysitter|neighbor|pastor|priest|tutor|guardian|foster|someone|somebody|man|guy|woman|"
    "roommate|landlord|manager|relative|him|her|them"
)
_EN_CHILD_ABUSER = (
    "he|stepdad|stepfather|dad|father|uncle|brother|stepbrother|cousin|grandpa|grandfather|"
    "coach|teacher|pastor|priest|tutor|babysitter|neighbor|guy|man|foster|boyfriend"
)
_EN_ABUSE_VERB_BLOWS = (
    "hits|hit|hitting|beats|beat|beating|punches|punched|punching|kicks|kicked|kicking|slaps|"
    "slapped|slapping|chokes|choked|choking|strangles|strangled|strangling|shoves|shoved|shoving|"
    "smacks|smacked|smacking|headbutted|elbowed|stomped|stabbed|beats up|beat up"
)
_EN_ABUSE_VERB_OTHER = (
    "grabs|grabbed|grabbing|drags|dragged|dragging|bites|bit|burns|burned|burnt|rapes|raped|"
    "molests|molested|drugged|starves|starved|abuses|abused|abusing|attacks|attacked|assaults|"
    "assaulted|tortures|tortured|whips|whipped|spanks|spanked|scratched|pinched|bruised"
)
_EN_ABUSE_VERB = f"{_EN_ABUSE_VERB_BLOWS}|{_EN_ABUSE_VERB_OTHER}"
_EN_BODY_OBJECT = (
    "(me|us|my neck|my throat|my face|my hair|my arm|my arms|my head|my body|my privates|my "
    "private parts|my chest|my breasts|my butt|my legs|my mouth|my wrists|my stomach|my back|my "
    "eye|my nose)"
)
_EN_HARM_VERB = (
    "hurt|hurting|harm|harming|kill|killing|stab|stabbing|shoot|shooting|strangle|strangling|"
    "choke|choking|smother|smothering|suffocate|suffocating|drown|drowning|shake|shaking|hit|"
    "hitting|beat|beating|poison|poisoning|burn|burning|attack|attacking|murder|murdering|punch|"
    "punching|slap|slapping"
)
_EN_TARGET = (
    "(baby|newborn|infant|son|daughter|kid|kids|child|children|toddler|wife|husband|partner|"
    "boyfriend|girlfriend|mom|dad|mother|father|brother|sister|roommate|coworker|coworkers|boss|"
    "neighbor|neighbors|ex|teacher|classmate|classmates|family|students|twins|stepson|"
    "stepdaughter|grandson|granddaughter|patients|him|her|them|someone|somebody|people|everyone|"
    "everybody|anyone|anybody|others)"
)
_EN_ALCOHOL = "(alcohol|drinks|vodka|wine|beer|whiskey|whisky|booze|liquor|tequila|rum|gin|shots)"

_ES_DEATH = (
    "(morir|morirme|muerto|muerta|matarme|no existir|dejar de existir|no despertar|"
    "no despertarme|dormir para siempre|irme para siempre|acabar con todo|terminar con todo|"
    "acabar con mi vida|terminar con mi vida|quitarme la vida|dejar de vivir|estar muerto|"
    "estar muerta|suicidarme|irme de este mundo|dejar este mundo|descansar para siempre|"
    "no volver a despertar|desaparecer para siempre|me muero|me muera|ya no estar)"
)
_ES_WISH = (
    "quiero|quisiera|queria|deseo|desearia|ojala|prefiero|preferiria|ganas|lista|listo|"
    "pienso|pensando|pensado|mejor|necesito|decidi|planeo|planeando|intentado|tratado|"
    "querido|merezco"
)
_ES_METHOD = (
    "(soga|cuerda|pistola|arma|revolver|navaja|cuchilla|cuchillas|navajas|veneno|cloro|raticida|"
    "lejia|pastillas|pildoras|medicinas|medicamentos|somniferos|insulina|balas|rifle|escopeta)"
)
_ES_PERSON = (
    "el|ella|ellos|esposo|esposa|marido|pareja|novio|novia|papa|padre|mama|madre|padrastro|"
    "madrastra|tio|tia|hermano|hermana|hermanastro|primo|prima|abuelo|abuela|jefe|maestro|"
    "profesor|entrenador|padrino|vecino|ex|suegro|suegra|alguien|hombre|senor|padres"
)
_ES_ABUSE_VERB = (
    "golpea|golpeo|golpean|golpeaba|golpearon|pega|pego|pegan|pegaba|patea|pateo|patean|pateaba|"
    "cachetea|cacheteo|abofetea|abofeteo|ahorca|ahorco|ahorcaba|estrangula|estrangulo|encierra|"
    "encerro|encierran|encerraba|amarra|amarro|jalonea|jaloneo|arrastra|arrastro|manosea|"
    "manoseo|manoseaba|viola|violo|violaba|violaron|maltrata|maltrato|maltrataba|drogo|drogaron|"
    "azota|azoto|cintarea|cintareo"
)
_ES_TARGET = (
    "(bebe|hijo|hija|hijos|hijas|nino|nina|ninos|esposo|esposa|marido|pareja|novio|novia|vecino|"
    "vecina|jefe|jefa|ex|alguien|todos|ellos|ella|mama|papa|madre|padre|hermano|hermana|"
    "companero|companera|familia|gente|personas|otros)"
)
_ES_NIGHT = (
    "(en la noche|por la noche|de noche|en las noches|cuando duermo|cuando estoy dormida|"
    "cuando estoy dormido|cuando todos duermen|a escondidas|cuando no hay nadie|cuando mi mama "
    "no esta)"
)

_SUICIDE_NET: list[dict[str, Any]] = [
    {
        "id": "floor.net.suicide.wish",
        "level": "crisis",
        "note": "a wish, plan or readiness for one's own death, in any of its words",
        "patterns": {
            "en": [
                f"{_EN_WISH} to|2 ...4 {_EN_DEATH}",
                f"(wish|hope|hoping|pray|praying) i ...3 {_EN_DEATH}",
                "(wish|hope|hoping|pray|praying) i (was|were) ...2 (dead|gone|never born)",
                f"rather ...2 {_EN_DEATH}",
                "rather (be dead|be gone|not exist|not be here)",
                "want|wanna to|2 dye|dy",
                "(better|happier|easier|relieved|fine|okay|ok|alright|lighter|free) ...4 "
                "without me",
                "(better|happier|easier|relieved|fine|okay) ...4 if i (was|were) "
                "(gone|dead|not here|not around|never born)",
                "(better|happier|easier|relieved) ...4 if i (died|disappeared|vanished|"
                "killed myself|did not wake up|never woke up)",
                "no|any reason ...2 to|2 (live|be alive|exist|be here|stay alive|keep living|"
                "wake up)",
                "do not deserve ...2 (live|be alive|exist|be here)",
                "not (really|even|actually|honestly|truly)? (want|wanted) ...3 (wake up|be "
                "alive|exist|live|be here|be around)",
                "(waiting|ready) ...2 (to die|for death|for the end|for it to end)",
                "(bother|point|reason|why) ...4 (staying|stay|being|be|keep|keeping|remain) "
                "(alive|living|breathing)",
                "(hate|hating) (being alive|living|existing|my existence|waking up)",
                f"{_EN_WISH}|kinda|tempted|urge to|2 ...3 (crash my car|crash the car|wreck "
                "my car|total my car|drive off a|drive into a|drive off the|drive into the|"
                "slit my wrists|cut my wrists|drown myself|take all my pills|take all the pills|"
                "swallow all|step in front of|jump in front of|jump off)",
                "(better|happier|easier|relieved|lighter) ...6 if i (was|were|am) (not|no "
                "longer) (in it|here|around|alive|in the picture|in their lives|in the way)",
                "(better|happier|easier) ...4 if i (was|were) (out of the picture|out of the "
                "way|gone)",
                "(fall asleep|go to sleep|sleep) and (never|not) (wake|come back|have to)",
                "(check|checking) out (for good|permanently|forever|of life|of this life|early)",
                "(leave|leaving|exit|exiting) this (world|life|earth) (for good|forever|"
                "tonight|soon)?",
            ],
            "es": [
                f"he? {_ES_WISH} ...4 {_ES_DEATH}",
                "(extranaria|notaria|importaria|daria cuenta|extrana|nota|importa) ...4 "
                "si (me muero|muero|me mato|desaparezco|no estuviera|ya no estoy|me voy)",
                "no (tengo|hay|encuentro|veo|tiene|le veo|le encuentro|le hallo) ...2 (razon|"
                "razones|motivo|motivos|sentido|caso|proposito) ...3 (vivir|seguir viviendo|"
                "existir|estar vivo|estar viva|seguir aqui|seguir en este mundo)",
                "sin (razon|razones|motivo|motivos|sentido) (para|de) (vivir|seguir viviendo|"
                "existir)",
                "no (merezco|quiero) (vivir|existir|estar vivo|estar viva|despertar)",
                "(termino|acabo|acabar|terminar|terminare|acabare|acabo) con (todo|mi vida)",
                "(esta noche|hoy|manana|ahora) (termino|acabo|lo hago|me mato|lo termino|lo acabo)",
                "me (quiero|voy a|pienso|puedo|dan ganas de|gustaria|vaya a|pense en) (colgar|"
                "ahorcar|matar|envenenar|disparar|cortar las venas|tirar|aventar|lanzar|"
                "suicidar|quitar la vida)",
                "(me canse|me harte|ya me canse|ya me harte) de (vivir|la vida|existir)",
            ],
        },
        "examples": {
            "en": ["I just wanna stop existing", "they'd be happier if I were gone"],
            "es": ["ojalá no despertar mañana"],
        },
    },
    {
        # a regex rule runs on every message, so it is kept apart from the large ones
        "id": "floor.net.suicide.without_me_es",
        "level": "crisis",
        "note": "'mejor sin mí' ends the clause: 'estoy mejor sin mi ex' is not about dying",
        "regex": {
            "es": [
                r"\b(?:mejor|mejores|felices|tranquilos|tranquilas|tranquila|tranquilo|"
                r"feliz|bien)\b(?: [a-z0-9]+){0,4} sin mi(?= [.,]|$)"
            ]
        },
        "examples": {"es": ["todos estarían mejor sin mí"]},
    },
    {
        "id": "floor.net.suicide.method",
        "level": "crisis",
        "note": "a method near a verb of having, taking, buying, holding, saving or planning",
        "patterns": {
            "en": [
                f"{_EN_PILLS} ~5 (stockpile|stockpiled|stockpiling|hoard|hoarded|hoarding|"
                "lined up|counted out|stash|stashed|in front of me|whole bottle|entire bottle)",
                f"(saving|saved|hoarding|hoarded|stockpiling|stashing|stashed) up? (my|all "
                f"my|the|some|extra|all the|enough|of my)? {_EN_PILLS}",
                "(saving|saved|hoarding|hoarded|stockpiling|keeping) (them|it) up",
                f"enough {_EN_PILLS}? to|2 (die|kill|not wake|overdose|od)",
                "(how many|how much) ...4 (it takes|it would take|does it take|to die|would "
                "kill|to kill|is lethal|is deadly|is fatal|to overdose|to od|to not wake up)",
                "(lethal|fatal|deadly) (dose|amount|dosage|overdose)",
                "(painless|quickest|easiest|surest|least painful) (way|ways|method|methods) "
                "(to die|out|to end it|to do it)",
                "painless death",
                "(researching|looking up|looked up|googling|googled|searching|searched) ...3 "
                "(ways|how|methods) (to die|to end it|to kill myself|to overdose)",
                "noose|nooses",
                "(bought|buy|buying|got|have|ordered|found|hid|hidden|tied|tie|tying|hung) "
                "...3 rope|ropes",
                "(bought|buy|buying|got|get|have|holding|hold|loaded|load|loading|cleaned|"
                "took out|hid|hidden|found|keep|keeping) ...4 (gun|pistol|firearm|rifle|"
                "shotgun|revolver|handgun|bullets|bullet) ...6 (myself|my head|my mouth|"
                "my chest|tonight|use it|do it|end it)",
                "(gun|pistol|firearm|rifle|shotgun|revolver|handgun) ...3 (to|in|against|at) "
                "my (head|mouth|temple|chest|heart)",
                "(knife|blade|razor|razors|razor blade|scissors|glass|lighter|shard) ...3 "
                "(to|against|on|in|into|across|over) my (wrist|wrists|arm|arms|thigh|thighs|"
                "skin|throat|neck|leg|legs|stomach|chest|veins)",
                "(knife|blade|razor|razors|razor blade) (in|into) my (hand|hands)",
                f"{_EN_SELF_HARM_VERB} ...2 {_EN_SELF_BODY}",
                "(cut|cutting|scratch|scratching|scratched|burn|burning|hit|hitting|pick|"
                "picking|bite|biting|carve|carving|dig|digging) ...4 (until|till|so) ...3 "
                "(bleed|bleeds|bled|bleeding|scar|scars|pass out)",
                "i am (standing|sitting|at|on|up on|out on|here on|here at|on top of|looking "
                "over|looking down from) ...2 (bridge|ledge|roof|rooftop|tracks|train tracks|"
                "railroad|railway|cliff|overpass|top floor|parking garage|water tower)",
                "(jump|jumping|leap|leaping|throw myself|throwing myself|hurl myself) (off|"
                "from|in front of|into|onto|out of|out) ...3 (bridge|building|roof|rooftop|"
                "balcony|window|cliff|train|trains|bus|car|truck|traffic|tracks|overpass|"
                "parking garage|highway|freeway|subway|top floor)",
                "(step|stepping|walk|walking|lie|lying|lay|laying|run|running) (in front of|"
                "into|onto|on to) ...2 (train|trains|bus|traffic|truck|tracks|oncoming|"
                "subway)",
                "(car|engine) ...4 running ...5 garage",
                "garage ...6 (car|engine) running",
                "(drive|driving|crash|crashing|swerve|swerving|steer|steering|ram|ramming|"
                "wreck|wrecking) ...3 (into|off) ...3 (tree|wall|bridge|cliff|pole|truck|"
                "oncoming|guardrail|barrier|semi)",
                "(decided|figured out|worked out|know exactly|planned) (how|when|where) ...5 "
                "(do it|going to do it|die|end it|kill myself|go through with it)",
                "suicide (letter|letters|note|notes)",
                "i (cut|burned|burnt|scratched|harmed|carved) myself? (again|deeper|deep|"
                "last night|tonight|today|this morning)",
                f"(swallowed|took|downed|popped|chugged|ate|taken) ...3 (bunch|handful|"
                f"bottle|entire|whole|half|dozen|fistful|stack|pile|box|pack|packet|strip) "
                f"...3 {_EN_PILLS}",
                "(slit|slitting|slice|slicing|cut|cutting|open|opening) ...2 my (wrist|"
                "wrists|veins|throat)",
                "(slit|slitting|slice|slicing) ...2 (wrist|wrists)",
                "urge|urges to (cut|burn|die|jump|overdose|self harm|hang myself)",
                f"(took|swallowed|taken|downed|popped) (all|the rest|every one|every last "
                f"one|the whole bottle) of? (my|the|his|her)? {_EN_PILLS}",
                "(loaded|loading|load|cocked|cocking) ~4 (gun|pistol|rifle|shotgun|revolver|"
                "handgun)",
                "(overpass|bridge|ledge|roof|rooftop|tracks|train tracks|cliff|platform) ~6 "
                "(thinking about it|think about it|tempting|tempted|drawn to|pulling me|"
                "calling me|so easy|would be easy)",
                "(step|stepping|jump|jumping|walk|walking|fall|falling|lean|leaning) (off|"
                "from|over) (the|a)? (platform|ledge|edge|roof|bridge|balcony|railing) ...6 "
                "(train|comes|down|below|drop|fall|easy)",
            ],
            "es": [
                f"(compre|consegui|junte|juntando|juntado|ahorre|ahorrando|acumule|"
                f"acumulando|escondi|escondiendo|guardando) ...3 {_ES_METHOD}",
                f"{_ES_METHOD} ~3 (listas|lista|listo|listos|preparada|preparadas|preparado|"
                "guardadas|guardados|juntas|juntos|acumuladas|escondidas|escondida|"
                "conmigo|en la mano|en mi mano|frente a mi)",
                "(ahorcarme|colgarme|envenenarme|dispararme|balearme|pegarme un tiro)",
                "(tirarme|aventarme|lanzarme|arrojarme|saltar|tirar|aventar|lanzar|arrojar) "
                "(de|del|desde|al|a la|a las|"
                "por|frente a|frente al|de la|por la) ...2 (puente|edificio|azotea|techo|"
                "ventana|balcon|tren|metro|vias|carro|camion|precipicio|barranco|"
                "acantilado|piso|rio|mar|autopista)",
                "(usarla|usarlo|usarlas|usarlos|dispararme|apuntarme) ...3 (conmigo|en mi|"
                "contra mi|a mi mismo|a mi misma|en la cabeza)",
                "(estoy|ando|estoy parada|estoy parado|estoy sentada|estoy sentado) en "
                "...3 (puente|azotea|vias|cornisa|barranco|acantilado|precipicio)",
                "(carta|cartas|nota|notas|mensaje|mensajes) (de|para) (despedida|despedirme)",
                "(cuantas|cuanto|cuantos) ...4 (para morir|para no despertar|para matarme|"
                "dosis letal|es letal)",
                "dosis letal",
                "(formas|maneras|forma|manera) (de|para) (morir|matarme|suicidarme|"
                "acabar con todo)",
                "(me|yo) ...2 (corte|cortando|corto|quemo|quemando|queme|rasguno|rasgunando|"
                "rasgune|lastimo|lastimando|lastime|golpeo|golpeando|hago dano|hice dano) "
                "...3 (brazos|brazo|munecas|muneca|piernas|pierna|muslos|muslo|piel|panza|"
                "estomago|a proposito|otra vez|de nuevo|hasta sangrar|cuerpo)",
                "(cochera|garaje|garage) ...5 (carro|coche|motor) (prendido|encendido)",
                "(me hago|me hice|hacerme|me hacia|me estoy haciendo) (cortadas|cortes|"
                "cortaditas|heridas|quemaduras|dano)",
            ],
        },
        "examples": {
            "en": ["I have the pills lined up", "I tied a noose"],
            "es": ["tengo las pastillas listas"],
        },
    },
    {
        "id": "floor.net.suicide.distress",
        "level": "concern",
        "note": "distress that is not yet a plan: staff should read it, the visitor sees help",
        "patterns": {
            "en": [
                f"{_EN_WISH}|going|about to|2 ...3 {_EN_SOFT_END}",
                "(wish|hope|hoping) i (could|would) ...2 (disappear|vanish|fade|sleep)",
                "(want|need|wish) ...2 (it|this|everything|it all|all of this|all this|"
                "the pain|life|my life|things) ...2 to? (stop|end|be over)",
                "(think|thinking|thought|thoughts|wonder|wondering|imagine|imagining|picture|"
                "picturing|dream|dreaming|fantasize|fantasizing) about|of ...2 (dying|death|"
                "being dead|not existing|not being here|not being alive|ending it|ending my "
                "life|ending things|ending everything|killing myself|suicide|not waking up|"
                "disappearing|my funeral|jumping|overdosing|hanging|crashing my car)",
                "(burden|waste of space|waste of oxygen|waste of air|waste of life) ...3 (to|"
                "on|for) (everyone|everybody|my|them|you|people|others|the world)",
                "(i am|i feel|feel like|feeling like|being) ...3 (burden|burdens|waste of "
                "space|waste of oxygen|waste of air|worthless|useless|dead inside)",
                "if i (was|were) (gone|dead|not here|not around|to die|to disappear|never born)",
                "if i (died|disappeared|vanished|killed myself|did not wake up|never woke up|"
                "was not here|were not here|was not around|were not around|stopped existing)",
                "(no one|nobody|noone) (would|will|is going to|even|would even)? ...2 (miss|"
                "notice|care|cry|come to my funeral)",
                "(can not|could not|unable to) ...2 (go on|keep going|keep living|live like "
                "this|live this way|take it|take this|take much more|take any more|take "
                "anymore|cope anymore|hold on|keep fighting|be alive|stand it|stand this|"
                "stand living|do this anymore|do it anymore|do life|survive this|handle it "
                "anymore|handle this anymore|handle life)",
                "(how much|how) (longer|more) ...4 (go on|keep going|hold on|last|do this|"
                "take|handle|keep fighting|survive|live)",
                "(do not|can not|never) see (a|any|the|my)? (future|way out|point|reason|"
                "light|tomorrow|way forward)",
                "no (future|way out|hope|escape|point|purpose) (for me|left|anymore|any more|"
                "in living|in life|in anything)",
                "(tired|sick|exhausted|done) of|with (living|life|being alive|existing|"
                "everything|it all|being me|fighting|trying|waking up|pretending|being here|"
                "this life|my life)",
                "(the|what is the|what is even the|no|any) (point|reason|purpose) ...3 "
                "(live|living|life|alive|going on|keep going|being here|existing|anymore|"
                "any more|trying|anything|of me)",
                "(life|living|my life) ...3 (not worth|pointless|meaningless|is over|has no "
                "meaning|means nothing|no point)",
                "(give|giving|gave|given) up on (life|living|myself|everything|it all|me|"
                "trying|getting better)",
                "(want|need|wanna) out",
                "(dark|scary|suicidal|morbid) (thoughts|place|urges|ideas)",
                "urges ...3 (back|coming back|returning|again|stronger|worse)",
                "(do not|dont) care (what happens to me|if i live|if i die|whether i live|if "
                "i wake up|about living|if i am alive)",
                "(giving|gave|give|given) away (all|most|some)? of? (my|the|our)? (stuff|"
                "things|belongings|possessions|pets|pet|dog|cat|cats|dogs|everything|guitar|"
                "games|books|jewelry|savings|money|furniture)",
                "(giving|gave|give|given) (all|most)? of? my (stuff|things|belongings|"
                "possessions|pets|pet|dog|cat|cats|dogs|everything|guitar|games|books|"
                "jewelry|savings|money|furniture) ...4 away|to",
                "(giving|gave) (everything|it all) away",
                "(affairs|things|everything) in order",
                "(wrote|made|updated|writing|write|finished|making) (a|my) (will|testament)",
                "(wrote|writing|written|left|leave|leaving) ...3 (letters|letter|notes|note|"
                "messages) (to|for) (my|everyone|everybody|each|the people)",
                "(goodbye|farewell) (letter|letters|note|notes|message|messages|video|post|text)",
                "(tell|let) my ...2 (i love|that i love|i am sorry|i loved)",
                "(in case|if) (something|anything) (happens|happened) to me",
                "(this is|here is) my? (goodbye|farewell)",
                "(say|said|saying) goodbye to (everyone|everybody|you all|the world|my "
                "family|all of you|life)",
                "(sorry|forgive me) for everything",
                "thank you for everything ...4 goodbye",
                "(last|final) (goodbye|words|letter) (to|for) (everyone|you all|my family|"
                "the world|all of you)",
                "(last|final) time (you|anyone) will? (hear|see) from me",
                "(i|me) ...4 (suicidal|suicide|die|dying|dead|kill myself|end it)",
                "(bought|buy|buying|got|have|ordered) (a|the|some)? (gun|pistol|firearm|"
                "rifle|shotgun|handgun|rope|razor blades|razors)",
                "(stopped|stop|quit|quitting) taking? my (medication|medications|pills|"
                "insulin) (and|to) (saving|save|keep|keeping|hoard|hoarding|collect)",
                "(relapsed|relapse|relapsing) ...2 (self harm|cutting|sh|harming)",
                "(my )?plan (is|was) (to do it|to go through with it|to end it)",
                "(do it|go through with it|end it) (when|once|after|while) ...3 (leaves|"
                "leave|asleep|sleeping|gone|away|at work|is out|nobody|no one)",
                "(nothing|no one|nobody) (to live for|left to live for)",
                "(everything|it all) ...2 (planned|arranged|ready|set|sorted) ...8 (kids|"
                "children|dog|cat|pets|roommate|family) (will be|are going to be|will not be|"
                "are) (at|with|away|gone|taken care|fine|ok|okay|looked after|out)",
                "(made sure|making sure|arranged for|arranging for) (the|my)? (kids|children|"
                "dog|cat|pets|family) ...3 (taken care of|looked after|fine without me|okay "
                "without me|provided for)",
                "(no one|nobody|they|everyone|you|people) (will|would) (have to|need to)? "
                "(deal with|worry about|put up with|bother with|hear from|see) me (anymore|"
                "again|much longer|after|for long|ever)",
                "(saying|said|say) my goodbyes",
                "not have to (do this|deal with|feel|live|wake up|be here|exist|face) (it|this|"
                "anything|anymore|again|any more|ever)?",
                "(would be|so) easy to just? (end|die|go|step|jump|drive|swallow|take|not "
                "wake|disappear)",
                "no way (i|to) (can|could)? ...2 (go on|keep going|keep living|live like this|"
                "survive|do this)",
                "(keep|go on|continue) living like this",
                "(act|acting|give in|giving in) (on|to) (these|my|the|them|it|those) (thoughts|"
                "urges|feelings|impulses)?",
                "(care|notice|matter|miss me) ...3 if i (am|was|were) (alive|dead|gone|here|"
                "around)",
                "(feel|feeling|am) ...2 (empty inside|hollow inside|dead inside)",
                "(found|took|have|got|bought) ...3 (gun|pistol|rifle|shotgun|revolver|handgun)",
                f"{_EN_PILLS} ~4 (right here|in my hand|in front of me|beside me|next to me|on "
                "my lap|sitting here)",
            ],
            "es": [
                f"{_ES_WISH}|voy ...4 (desaparecer|irme lejos|rendirme|que todo acabe|que "
                "todo termine|no sentir nada|dejar de sentir|no estar|no seguir aqui|no "
                "seguir)",
                "(soy|me siento|siento que soy|ser) ...2 (carga|estorbo|inutil|poca cosa)",
                "(cansado|cansada|harto|harta|agotado|agotada) de (vivir|la vida|existir|"
                "todo|luchar|intentar|seguir)",
                "(no puedo|ya no puedo|no aguanto|ya no aguanto) ...2 (seguir|mas|con esto|"
                "con mi vida|vivir asi|seguir asi|esta vida)",
                "(pienso|pensando|pensado|pensamientos|imagino|imaginando|sueno) ...2 (en|de|"
                "con) ...2 (morir|morirme|la muerte|estar muerto|estar muerta|matarme|"
                "suicidarme|suicidio|desaparecer|no existir|no despertar|mi funeral)",
                "si (me muero|muero|me mato|desaparezco|no estuviera|ya no estoy|me voy para "
                "siempre|yo no existiera|no existiera)",
                "(nadie|ninguno) ...3 (extranaria|extranara|notaria|notara|importaria|"
                "importa|daria cuenta|dara cuenta|lloraria)",
                "(regalando|regale|regalar|regalo|doy|di|dando|deshaciendome|deshacerme) "
                "...3 (mis|todas mis|todas las|todos mis) ...2 (cosas|pertenencias|mascotas|"
                "perro|gato|ahorros)",
                "(sin|no hay|no tengo|no veo) (salida|esperanza|futuro|remedio)",
                "no (vale|tiene) (la pena|sentido) (vivir|seguir|nada)",
                "(pensamientos|ideas) (oscuros|oscuras|feos|feas|suicidas|de muerte)",
                "no me (importa|importaria) (morir|morirme|si muero|si me muero|lo que me "
                "pase|vivir)",
                "(ganas|deseos) de (morir|desaparecer|no existir|no despertar|cortarme|lastimarme)",
                "(me despedi|despedirme|me estoy despidiendo|despidiendome) de (todos|todo|"
                "mi familia|ustedes|mis hijos|el mundo)",
                "(este|esta) es mi (despedida|ultimo mensaje|adios)",
                "tengo ...2 (soga|pistola|arma|revolver|navaja|cuchilla|veneno|raticida)",
                "ya no quiero seguir",
                "(perdonenme|perdoname|perdonen) por todo",
                "(solo me falta|solo falta|me falta|antes de) despedirme",
                "no (le )?(encuentro|veo|hallo|tiene) sentido (a|de)? ...2 (nada|la vida|"
                "vivir|seguir|existir|mi vida)",
                "(me siento|siento|estoy) ...3 (vacia|vacio|muerta por dentro|muerto por dentro)",
            ],
        },
        "examples": {
            "en": ["sometimes I think about dying", "I feel like such a burden"],
            "es": ["a veces pienso en morirme"],
        },
    },
]

_OTHERS_NET: list[dict[str, Any]] = [
    {
        "id": "floor.net.others.harm",
        "level": "crisis",
        "note": "thoughts, urges or plans of harming a person",
        "patterns": {
            "en": [
                f"(thoughts|thought|thinking|think|urge|urges|images|image|imagine|imagining|"
                f"picture|picturing|fantasize|fantasizing|afraid|scared|worried|terrified|"
                f"fear|want|wanna|going|plan|planning|might|could|keep|tempted|ready) ...4 "
                f"({_EN_HARM_VERB}) ...2 {_EN_TARGET}",
                f"(snap|lose it|lose control|lose my temper|lost control) ...3 and? "
                f"({_EN_HARM_VERB}) ...2 {_EN_TARGET}",
                "(he|she|they) (is|are) going to pay (for what|dearly|with)",
                "(bought|have|got|grab|grabbed|get|bring|bringing|loaded|carrying) ...3 "
                "(knife|gun|pistol|rifle|bat|weapon|machete|shotgun) ...8 (him|her|them|my "
                "ex|pay|revenge|see it coming|get back)",
                "(shoot up|shooting up|bomb|bombing|blow up|blowing up) (the|my|a|this)? "
                "(school|office|work|workplace|church|mall|class|campus|party|building|"
                "place|mosque|synagogue)",
                "(pillow|hand|hands|blanket|bag) (over|on) (his|her|their|the babys|my babys|"
                "my sons|my daughters) (face|mouth|nose|head)",
                "(bring|bringing|brought|take|taking) (a|my|the) (gun|knife|weapon|rifle|"
                "pistol) (to|into) (work|school|the office|class|church|his house|her house)",
                f"(thoughts|urge|urges|want|wanna|afraid|scared|tempted|thinking|imagine|"
                f"imagining|picture|picturing) ...4 (push|pushing|throw|throwing|drop|"
                f"dropping|shove|shoving) ...2 {_EN_TARGET} (down|off|out|into|against|from|"
                "over)",
            ],
            "es": [
                f"(pensamientos|pienso|pensando|ganas|miedo|quiero|voy a|impulso|impulsos|"
                f"imagino|imaginando|tentado|tentada|podria) ...4 (lastimar|lastimarlo|"
                f"lastimarla|hacerle dano|hacer dano|hacerles dano|matar|ahogar|asfixiar|"
                f"sacudir|golpear|pegarle|pegarles|apunalar|disparar|dispararle|envenenar) "
                f"...3 a? (mi|mis|el|la|los|las|su)? {_ES_TARGET}",
                "(ya tengo|tengo|compre|consegui) (el|la|un|una) (cuchillo|pistola|arma|"
                "navaja|machete) ...6 (para|y|contra) ...3 (el|ella|ellos|mi|matarlo|"
                "matarla|vecino|ex|jefe)",
            ],
        },
        "examples": {
            "en": ["I keep thinking about hurting the baby"],
            "es": ["tengo miedo de lastimar a mis hijos"],
        },
    },
    {
        "id": "floor.net.others.concern",
        "level": "concern",
        "note": "anger turned toward a person, not yet a plan",
        "patterns": {
            "en": [
                "(he|she|they|him|her|them) (will not|never|is not going to) see it coming",
                "(beat|kick|knock|punch|smack) the (crap|shit|hell|life|daylights|snot) out of",
                "(get|getting) (back at|revenge on|even with|my revenge)",
                "(know|found out|find out) where (he|she|they) (lives|live|works|work|sleeps|"
                "stays)",
            ],
            "es": ["(me la|me lo|me las|me los) (va|van) a pagar", "(vengarme|venganza) de"],
        },
        "examples": {"en": ["she won't see it coming"], "es": ["me la va a pagar"]},
    },
]

_ABUSE_NET: list[dict[str, Any]] = [
    {
        "id": "floor.net.abuse.harmed",
        "level": "crisis",
        "note": "a person harming the visitor: a verb of harm with me, us or my body after it",
        "patterns": {
            "en": [
                f"({_EN_PERSON}) ...4 ({_EN_ABUSE_VERB_BLOWS}) {_EN_BODY_OBJECT}",
                f"({_EN_PERSON}) ...4 ({_EN_ABUSE_VERB_OTHER}) {_EN_BODY_OBJECT}",
                f"({_EN_ABUSE_VERB}) me (against|into|down|across|onto|around|until|so hard|"
                "black and blue|with a|with his|with her|with the|with their|with an)",
                "(pushed|pushes|shoved|shoves|threw|throws|knocked|knocks|kicked|kicks|"
                "dragged|drags|pinned|pins|slammed|slams) me (down|over|onto|across|to the "
                "ground|to the floor|by my hair|by my neck|by my arm|by the hair|by the neck|"
                "against)",
                "(slammed|slams|shoved|shoves|pushed|pushes|threw|throws|knocked|smashed) ...2 "
                "(into|against) (the|a)? (wall|door|floor|ground|table|car|mirror|window|"
                "cabinet|counter|dresser|fridge|stairs|furniture)",
                "(forces|forced|forcing|makes|made|making|pressures|pressured|pressuring) me "
                "to? (touch him|touch her|touch his|touch it|undress|take off my|kiss him|"
                "kiss her|suck|sleep with|have sex|get naked|sit on his|send nudes|send "
                "pictures|watch porn|do sexual)",
                f"({_EN_CHILD_ABUSER}) ...4 (comes|came|sneaks|snuck|climbs|climbed|gets|got|"
                "walks|creeps|crept) (in|into|in to) (my|the) (room|bed|bedroom|shower|"
                "bathroom|tent|covers) ...4 (at night|every night|when i am asleep|when i "
                "am sleeping|while i sleep|while i am sleeping|when everyone is asleep|late "
                "at night|and touches|and gets|when my mom|when mom)",
                "(drugged|roofied|spiked) (me|my drink|my drinks)",
                "(someone|somebody|he|she|they) (put|slipped) something in my drink",
                f"(bruises|bruise|black eye|welts|marks) ...5 (from|by) my? ({_EN_PERSON})",
                f"({_EN_PERSON}) ...4 (gave|gives|give|left|leaves|leave) me (bruises|a black "
                "eye|black eyes|welts|marks|a split lip|a concussion)",
                "(do not|does not|will not|never|refuse to|refuses to|stopped) (feed|feeding) "
                "(me|us)",
                "(starve|starves|starving|starved) (me|us)",
                "no|not (food|eat|eating|dinner|meals) (as|for) a? (punishment|punishments)",
                "(stalking|stalks|stalked) me",
                "i have a stalker",
                f"({_EN_PERSON}) ...3 (following|follows|followed|tracking|tracks|tracked) "
                "me (home|to work|everywhere|around|to school|to my car)",
                f"({_EN_PERSON}) ...6 (threatened|threatens|threatening|said|says|swore|"
                "swears|told me|warned|promised) ...5 (kill|hurt|shoot|stab|beat|burn|hit|"
                "choke) ...2 (me|us|the kids|my kids|the children|my children|my baby|the "
                "baby|my family|my dog|my cat|my mom|my son|my daughter)",
                f"(afraid|scared|terrified|worried) ...4 ({_EN_PERSON}) ...3 (will|is going "
                "to|might|could|would) (hurt|kill|hit|beat|choke|shoot|stab) (me|us|the "
                "kids|my kids|my children|the baby|my baby)",
                "(afraid|scared|terrified|frightened|fear) (of|for) (my life|my safety)",
                f"({_EN_PERSON}) ...4 ({_EN_ABUSE_VERB_BLOWS}) ...3 and (me|us|my kids)",
                "(forced|forces|forcing|pushed) (himself|herself|themselves) (on|onto|upon|into)",
                "(makes|made|forces|forced|making|forcing) me do (stuff|things) (to|for|with) "
                "(him|her|them)",
                "(lock|locks|locked|locking) (me|us) (in|up|inside|in the)",
                "(and|he|she|they|who|then|also) (touches|touched|touching|rubs|rubbed|"
                "rubbing) my (leg|legs|thigh|thighs|butt|chest|breasts|boobs|body|privates|"
                "private parts|crotch|inner thigh)",
                f"({_EN_PERSON}) ...4 (touches|touched|touching|rubs|rubbed|rubbing|feels|"
                "felt) my (leg|legs|thigh|thighs|butt|chest|breasts|boobs|body|privates|"
                "private parts|crotch|inner thigh)",
                f"(hiding|hide|hid) from (him|her|them|my {_EN_PERSON.replace('|', '|my ')})",
            ],
            "es": [
                f"me ({_ES_ABUSE_VERB})",
                "me (empujo|empuja|empujaron|avento|avienta|tiro|aventaron) (por|contra|de|"
                "al suelo|a la pared|hacia|escaleras|al piso)",
                f"({_ES_PERSON}) ...4 ({_ES_ABUSE_VERB}) (a mi|a nosotros|a mis hijos|a mi "
                "mama|a mi hijo|a mi hija)",
                f"(entra|entro|entraba|se mete|se metio|se metia|viene|venia|vino|se acuesta|"
                f"se acostaba|se sube|se subia) (a|en|por)? (mi|la) (cuarto|cama|recamara|"
                f"habitacion|bano|regadera|cobija|cobijas) ...3 {_ES_NIGHT}",
                "(me toca|me toco|me tocaba|me tocan|me tocaron|me manosea) ...3 (partes|"
                "cuerpo|pechos|piernas|ahi|intimas|privadas|secreto|en la noche)",
                "(moretones|moreton|morados|marcas|golpes) ...6 (me hace|me hizo|me deja|me "
                "dejo|me pega|me pego|me golpea|me golpeo|por lo que me|de lo que me)",
                "(me dejo|me deja|me dejaron) (moretones|marcas|el ojo morado|morada|morado)",
                "(me obliga|me obligo|me obligan|me obligaba|me forzo|me fuerza|me forzaron) "
                "a (tocar|tocarlo|tocarla|tener relaciones|desvestirme|quitarme la ropa|"
                "besarlo|acostarme|ver porno)",
                "(no me da|no me dan|no me daba|no me daban) de comer",
                "(me drogo|me drogaron|me echaron algo|me pusieron algo|algo en mi bebida)",
                "(miedo|temor) (por|de perder) mi vida",
                "me (jala|jalo|jalaba|agarra|agarro|agarraba) (del|el|de los|los|de) (cabello|"
                "pelo|grenas|cuello)",
                "me (tira|tiraba|avienta|aventaba|empuja|empujaba) (al|contra el|contra la|a "
                "la) (piso|suelo|pared|cama)",
                "(miedo|temo|temor|asusta) ...4 (me mate|me lastime|me pegue|me golpee|me haga "
                "dano|me vaya a matar|nos mate|me ahorque)",
            ],
        },
        "examples": {
            "en": ["he chokes me when he's drunk", "my stepdad comes into my room at night"],
            "es": ["mi esposo me encierra en la casa"],
        },
    },
    {
        "id": "floor.net.abuse.concern",
        "level": "concern",
        "note": "control, secrets and fear of a person: vaguer, so a concern staff should read",
        "patterns": {
            "en": [
                "(makes|made|forces|forced|making|forcing) me do (stuff|things) ...3 (do not "
                "want|did not want|hate|uncomfortable|scared|weird|wrong|secret|bad)",
                f"({_EN_CHILD_ABUSER}) ...4 (comes|came|sneaks|snuck|climbs|climbed|gets|got|"
                "creeps|crept) (in|into|in to) (my|the) (bed|covers|shower)",
                "(sends|sending|sent|asks|asking|asked|wants|makes|made|takes|took|taking) "
                "me? for? ...2 (pictures|pics|photos|nudes|videos) ...6 (secret|not to tell|"
                "do not tell|between us|delete)",
                "(sends|sent|sending) me (nudes|naked|pictures of his|pictures of her|dick)",
                "(asks|asked|asking|wants|wanted) me (for nudes|to send nudes|for naked)",
                f"({_EN_CHILD_ABUSER}) ...6 (keep|keeping|keeps) (it|this|them|that|things|"
                "us) ...2 (secret|between us|quiet)",
                "(woke|wake|waking) up ...4 (naked|without my clothes|with no clothes|with "
                "my clothes off|not knowing where|with no memory|in a stranger|somewhere else)",
                "(showed|shows|showing) up (at|outside|to) my (work|house|home|school|job|"
                "door|apartment|place|car)",
                f"({_EN_PERSON}) ...2 (controls|checks|smashed|smashes|broke|breaks|hides|"
                "hid|tracks|reads|monitors|takes|took) my (phone|money|messages|location|"
                "bank|texts|emails|car keys|passport|documents)",
                "(will not|does not|never|not) let me (leave|go out|go anywhere|see my|talk "
                "to|have my|use my|out of|call)",
                f"(afraid|scared|terrified|frightened) (of|for) (what he|what she|him|her|"
                f"them|my {_EN_PERSON.replace('|', '|my ')})",
                "(locked|lock|locking) myself in (the|my) (bathroom|room|closet|car)",
                "(yells|yelled|screams|screamed) ...3 (threw|throws|throwing|broke|breaks|"
                "punched|punches) (things|stuff|a plate|plates|the wall|holes|a hole)",
                "(punched|punches|punching) (a hole|holes|the wall|walls) ...4 (me|my head|"
                "next to)",
            ],
            "es": [
                "(me obliga|me obligo|me obligan|me obligaba|me hace|me hizo|me pide|me "
                "pidio) a? (hacer cosas|mandarle fotos|hacerle cosas)",
                "(entra|entro|entraba|se mete|se metio|se metia|se acuesta|se acostaba|se "
                "sube|se subia) (a|en)? (mi|la) (cama|cobija|cobijas|regadera)",
                "(no me deja|no me dejan|no me dejaba) (salir|ver|hablar|usar|ir|tener|"
                "trabajar|llamar)",
                "(me quito|me quita|me rompio|me revisa|me controla|controla) (el|mi|mis) "
                "(celular|telefono|dinero|documentos|llaves|pasaporte)",
                "(miedo|terror|panico) (de|a) (mi|el|ella) ...2 (esposo|marido|pareja|novio|"
                "novia|papa|padre|padrastro|mama|madre|tio|ex|hermano)",
                "(me persigue|me acosa|me vigila|me sigue) (a todos lados|hasta|al trabajo|a "
                "la casa|a mi casa|por todos lados|todo el tiempo)",
                "(nuestro|es un) secreto ...4 (no le digas|no digas|nadie|mama|mami)",
            ],
        },
        "examples": {
            "en": ["my uncle makes me do stuff I don't want to do"],
            "es": ["mi tío me obliga a hacer cosas"],
        },
    },
]

_MEDICAL_CONCERN: dict[str, Any] = {
    "id": "floor.net.medical.concern",
    "level": "concern",
    "note": "a body that may be in trouble: a doubled dose, a racing heart, a fall",
    "patterns": {
        "en": [
            f"(took|taken|swallowed|had) ...3 {_EN_PILLS} ...3 (twice|double|two doses|an "
            "extra dose|by accident|by mistake|accidentally)",
            "(took|taken|had) (a double|double|an extra|two) (dose|doses)",
            "heart ...2 (pounding|racing|beating so fast|beating really fast|skipping beats|"
            "will not slow down)",
            "(face|mouth) (looks|is|went|feels) (weird|strange|funny|droopy|frozen)",
            "(shaking|jerking|twitching) (all over|uncontrollably)",
        ],
        "es": [
            "(me tome|tome|se tomo) ...3 (doble|dos veces|de mas|por error|sin querer)",
            "corazon ...2 (acelerado|late muy rapido|late muy fuerte|a mil)",
        ],
    },
    "examples": {"en": ["I took my pills twice by accident"], "es": ["me tomé la dosis doble"]},
}

# --- imminence: the escalation step's second signal.
#
# A concern says there is a risk; these say when, how or what with. A suicide or harm-to-others
# concern (a phrase rule, the net or the tripwire) with one of these elsewhere in the same message,
# not negated and not told in the past, is a crisis (``safety._imminent``): "i have the knife" is
# a concern, "... next to me rn" makes it act-now. Four families: a time (tonight, after work,
# this weekend, soon), a plan or preparation (my plan, researching ways, letters, goodbyes, gave
# away, decided), means at hand (next to me, in my hand, have the pills), a recent attempt (tried
# ... last night, just got discharged). Words that only say the past ("last night", "yesterday")
# are here only with an attempt: "I felt hopeless last night" stays a concern.

_EN_MEANS = (
    "(pills|pill|meds|medication|tablets|bottle|gun|pistol|revolver|rifle|shotgun|knife|knives|"
    "blade|blades|razor|razors|rope|noose|cord|belt|bullets|ammo|lighter|poison|bleach|insulin|"
    "bat|weapon)"
)
_EN_HOLDER = (
    "(room|hand|hands|lap|pocket|car|truck|bag|backpack|closet|drawer|desk|nightstand|bed|"
    "bathroom|garage|purse|wallet|glovebox)"
)
_EN_DAYS = "(monday|tuesday|wednesday|thursday|friday|saturday|sunday|the weekend)"
_ES_MEANS = (
    "(pastillas|pildoras|medicinas|medicamentos|pistola|arma|revolver|cuchillo|navaja|navajas|"
    "cuchilla|cuchillas|cuerda|soga|veneno|cloro|insulina|balas)"
)
_ES_DAYS = "(lunes|martes|miercoles|jueves|viernes|sabado|domingo|fin de semana)"

_IMMINENCE_TIME = {
    "en": [
        "tonight",
        "today",
        "right now",
        "now",
        "this weekend",
        "this week",
        "soon",
        "after (work|school|class|my shift|the shift|everyone leaves|everyone is asleep|"
        "everyone goes to sleep|the kids go to bed|they leave|they are asleep|my appointment)",
        "(in|within) (an|a few|the next|one|two|1|2) (hour|hours|minutes|days)",
        "before (morning|sunrise|the weekend|tomorrow)",
        f"by {_EN_DAYS}",
        f"this {_EN_DAYS}",
        "when (he|she|they) (gets|get|comes|come) home",
        "when (everyone|everybody) (is|are) (asleep|gone|out)",
        "when (my|the) (roommate|roommates|parents|wife|husband|family|kids|partner|mom|dad) "
        "(is|are) (gone|away|out|asleep)",
    ],
    "es": [
        "esta noche",
        "hoy",
        "ahora",
        "ahorita",
        "ahora mismo",
        "ya mismo",
        "pronto",
        "este fin de semana",
        "esta semana",
        f"este {_ES_DAYS}",
        "despues (del|de mi) (trabajo|turno|la escuela|clase)",
        "cuando (todos|todas) (duerman|se vayan|esten dormidos)",
        "cuando (llegue|regrese|vuelva) (a casa)?",
        "en (una|unas) (hora|horas)",
    ],
}
_IMMINENCE_PLAN = {
    "en": [
        "plan|plans|planned|planning",
        "decided|deciding",
        "made up my mind",
        "(my|i am|i) (ready|prepared)",
        "ready now",
        "(researching|researched|looking up|looked "
        "up|looking into|googling|googled|searching|searched|reading up on)",
        "ways|way to (go|do it|die|end)",
        "how to (do it|go|end)",
        "letter|letters|note|notes",
        "goodbye|goodbyes|farewell",
        "(gave|giving|given|give) ...3 away",
        "(gave|giving|given) (my|all my) ...3 to",
        "(put|putting|got|getting) my affairs",
        "(my|the) will",
        "(picked|chose|chosen|set) (the|a) (day|date|time|place|spot)",
        f"(bought|buying|ordered|got|picked up|saved|saving|collected|collecting) ...3 {_EN_MEANS}",
        f"{_EN_MEANS} (is|are) (ready|loaded|lined up|counted out)",
        "loaded",
        "lined up",
        "(my|is my|be my) last (message|text|night|day|week|words)",
        "(make|made|making) it look like (an|a) accident",
        "on purpose",
        "(will not|not going to) (be needing|need) (her|him|it|them|these|this|my|anything)",
        "(i am|im) ending (it|it all|everything|things)",
        "(thinking|think|thought|keep thinking) (about|of) using (it|them|the gun|the pills|"
        "the rope|the knife)",
    ],
    "es": [
        "tengo un plan",
        "mi plan",
        "(ya lo|lo tengo|ya) (decidi|decidido|decidida)",
        "decidi",
        "(carta|cartas|nota|notas) (de despedida|para|a)",
        "(me despedi|despedirme|me despido|adios)",
        "(regale|regalando|regalado) (mis|todas mis|todos mis|mi)",
        "(todo|ya todo) (listo|lista|preparado|preparada)",
        "(buscando|busque|investigando|investigue) ...3 (como|formas|maneras)",
        "(formas|maneras) de (hacerlo|irme|morir)",
        f"(compre|conseguí|consegui|junte|guarde|guardando|juntando) ...3 {_ES_MEANS}",
        "(mi|es mi|sera mi) (ultimo|ultima) (mensaje|noche|dia|semana)",
        "a proposito",
        "(buscando|busque|investigando|investigue) ...3 (cuantos|cuantas|cuanto|cuanta)",
        "(pensando|pienso|pensar|pense) en (usarlo|usarla|usarlos|usarlas)",
        "(que parezca|parezca) (un|una) accidente",
    ],
}
_IMMINENCE_MEANS = {
    "en": [
        "next to me",
        "beside me",
        "in front of me",
        "right here",
        "with me right now",
        f"in my {_EN_HOLDER}",
        "on my (desk|bed|nightstand|lap|dresser|counter)",
        f"(have|got|holding|hold|grabbed|took out|keep) (the|my|a|his|her|dads|moms) ...2 "
        f"{_EN_MEANS}",
        f"{_EN_MEANS} ...3 (here|with me|on me|in reach)",
        "(on|at) the (roof|ledge|bridge|edge|tracks|overpass)",
        "(locked|lock) (myself|herself|himself) in",
        "locked in (the|my) (bathroom|room|bedroom|car|garage)",
        "(not|stopped|is not) (answering|responding|picking up|replying)",
    ],
    "es": [
        "a mi lado",
        "junto a mi",
        "aqui conmigo",
        "en la mano",
        "en mis manos",
        "(en|dentro de) mi (cuarto|recamara|bolsa|carro|coche|mochila|cajon|mano)",
        f"(tengo|tiene|agarre|traigo|tome) (las|la|el|los|una|un|mis|mi) ...2 {_ES_MEANS}",
        f"{_ES_MEANS} (aqui|conmigo|lista|listas|listo|listos)",
        "(en|sobre) (el|la) (puente|azotea|techo|cornisa|vias)",
        "no (contesta|responde) (el telefono|mis mensajes|los mensajes|el celular)?",
    ],
}
_IMMINENCE_ATTEMPT = {
    "en": [
        "attempted|attempt",
        "(tried|did it|attempted) ...4 (last night|yesterday|this "
        "morning|this week|earlier|again|an hour ago|hours ago)",
        f"(tried|did it|attempted) ...4 on {_EN_DAYS}",
        "(just|recently) (got|been|was) (discharged|released|out of)",
        "(just|recently) got out of (the|a)? (hospital|psych ward|er|icu|inpatient|rehab)",
    ],
    "es": [
        "intente|intento|intentado",
        "(me dieron|dieron) de alta",
        "(sali|acabo de salir) del (hospital|psiquiatrico)",
        "(anoche|ayer) (intente|lo intente)",
        f"el {_ES_DAYS} (intente|lo intente)",
    ],
}
_OTHERS_PLACE = {
    "en": [
        "(know|found|find out) where (he|she|they|my|his|her) ...2 (lives|live|works|work|is|"
        "are|sleeps|parks)",
        "(waiting|wait|parked|sitting) (outside|for) (his|her|their|him|her|them)",
        "list of (people|names)",
        "(followed|following|tracked|tracking) (him|her|them)",
    ],
    "es": [
        "(se|sabemos) donde (vive|trabaja|esta|duerme)",
        "(esperando|espero) (afuera|a que)",
        "lista de (gente|nombres)",
        "lo estoy esperando|siguiendo",
    ],
}


# Plans and decisions to get help are not a plan to die: an imminence phrase inside one of these
# does not count (they are category exemptions, so they also keep a rule from reading them).
_HELP_PLANS = {
    "en": [
        "(decided|decide|deciding|plan|plans|planning|planned|ready|prepared|going) (to|on)? "
        "(get|getting|seek|seeking|find|finding|start|starting|try|trying|reach out to|call|"
        "calling|book|booking|see|seeing|talk to|talking to|begin|work on|go to|come to) ...2 "
        "(help|therapy|therapist|a therapist|counseling|counselor|treatment|support|"
        "psychiatrist|a psychiatrist|someone|somebody|a doctor|my doctor|an appointment|"
        "appointment|a session|sessions|better|professional help|a professional|care|you|"
        "your office|intake)",
        "(decided on|researching|researched|looking up|looked up|looking into|looked into|"
        "searching for|googling|googled|looking for) (therapy|therapists|a therapist|"
        "treatment|counseling|support groups|help|a psychiatrist|practices|clinics)",
        "(my|the) plan (is|was) (to|2) (get|find|start|try|see|call|book|begin|go to) ...2 "
        "(help|therapy|therapist|a therapist|counseling|treatment|support|a psychiatrist|"
        "someone|better|an appointment)",
    ],
    "es": [
        "(decidi|decidido|decidida|planeo|planeando|lista|listo|buscando|busque) (a|para|de)? "
        "(buscar|pedir|empezar|comenzar|iniciar|ir a|tomar|hablar|llamar|conseguir) ...2 "
        "(ayuda|terapia|terapeuta|cita|psicologo|psicologa|tratamiento|consulta)",
        "(ya lo decidi|decidi|lo decidi) ...2 (quiero|voy a) (empezar|buscar|ir a|tomar|pedir) "
        "...2 (terapia|ayuda|cita|tratamiento)",
    ],
}


def _imminence(*families: dict[str, list[str]]) -> dict[str, list[str]]:
    return {loc: [p for fam in families for p in fam[loc]] for loc in ("en", "es")}


_SUICIDE_IMMINENCE = _imminence(_IMMINENCE_PLAN, _IMMINENCE_MEANS, _IMMINENCE_ATTEMPT)
_OTHERS_IMMINENCE = _imminence(_IMMINENCE_PLAN, _IMMINENCE_MEANS, _OTHERS_PLACE)

_PILL_NAMES = _EN_PILLS[1:-1].replace(" ", r"\s")
_MEDICAL_COUNT: dict[str, Any] = {
    "id": "floor.net.medical.count",
    "level": "crisis",
    "note": "ten or more of a medicine taken at once; a dose in mg or units is not a count",
    "regex": {
        "en": [
            r"\b(?:took|swallowed|taken|popped|downed|ate|had)(?: (?:like|about|over|around|"
            r"maybe|almost|nearly|probably|at least|more than))? (?:[1-9][0-9]+|ten|eleven|"
            r"twelve|fifteen|twenty|thirty|forty|fifty|sixty|a hundred)(?: (?!mg\b|"
            r"milligrams\b|ml\b|mcg\b|units\b|"
            r"minutes\b|hours\b|days\b|years\b)[a-z]+){0,2} (?:" + _PILL_NAMES + r")\b"
        ],
        "es": [
            r"\b(?:me tome|se tomo|tome|me trague|se trago)(?: (?:como|unas|unos|mas de))? "
            r"(?:[1-9][0-9]+|diez|quince|veinte|treinta|cuarenta|cincuenta|cien)"
            r"(?: [a-z]+){0,2} (?:pastillas|pildoras|tabletas|capsulas)\b"
        ],
    },
    "examples": {"en": ["I swallowed like 40 advil"], "es": ["me tomé como 30 pastillas"]},
}

_MEDICAL_NET: list[dict[str, Any]] = [
    _MEDICAL_CONCERN,
    _MEDICAL_COUNT,
    {
        "id": "floor.net.medical.emergency",
        "level": "crisis",
        "note": "a body in danger now: breath, chest, stroke signs, poisoning, overdose, bleeding",
        "patterns": {
            "en": [
                "(can not|could not|hard to|harder to|struggling to|trouble|unable to|"
                "barely|hardly|difficulty) ...2 (breathe|breath|breathing|catch my breath|"
                "catch his breath|catch her breath|get air)",
                "chest ~4 (hurts|hurt|hurting|pain|pains|painful|pressure|tight|tightness|"
                "crushing|heavy|squeezing|squeezed|burning|sitting on|elephant|stabbing|"
                "aches|aching)",
                "(face|mouth|smile|lip) ...3 (drooping|droopy|drooped|crooked|lopsided|sagging)",
                "(slurred|slurring|slurs|garbled) (speech|words|his words|her words|my words)",
                "(can not|could not) (feel|move|lift) (my|his|her|the) ...2 (arm|leg|face|"
                "left|right|side)",
                "(left|right|one) (arm|side|leg) ...3 (numb|tingling|tingly|weak|limp|dead)",
                "(not|is not|stopped|barely) (responding|breathing|conscious|responsive)",
                "(can not|could not) wake (him|her|them|my|the|up my|up his|up her|him up|"
                "her up|them up)",
                "(passed out|unconscious|fainted|collapsed|blacked out) ...5 (hit|bleeding|"
                "blood|will not|can not|head|seizure|shaking|breathing)",
                "(no|can not find a|can not feel a) (pulse|heartbeat)",
                "(lips|face|skin|fingers|fingertips) ...3 (blue|purple|grey|gray)",
                "(turning|turned) (blue|purple)",
                "(drank|swallowed|ate|eaten|ingested|chugged|licked|got into|bit|chewed) ...3 "
                "(bleach|poison|antifreeze|drano|detergent|cleaner|chemical|chemicals|laundry "
                "pod|tide pod|rat poison|lighter fluid|gasoline|batteries|battery|magnets|lye|"
                "ammonia|pesticide|weed killer|paint thinner|nail polish remover|mouthwash)",
                "(drank|ate|swallowed|got into|drinking|eating|chugged|took) ...5 under the sink",
                f"(took|swallowed|taken|popped|ate|downed|chugged|had) ...4 (too many|too "
                f"much|a bunch|bunch|handful|whole bottle|bottle|half a bottle|entire|dozen|"
                f"fistful|way too) ...3 {_EN_PILLS}",
                f"(mixed|combined) ...4 {_EN_ALCOHOL} ...4 (and|with) ...3 {_EN_PILLS}",
                f"(mixed|combined) ...4 {_EN_PILLS} ...4 (and|with) ...3 {_EN_ALCOHOL}",
                "(can not|will not|does not|not) stop the? (bleeding|blood)",
                "bleeding ...2 (a lot|badly|heavily|everywhere|so much|really bad|too much|"
                "nonstop|like crazy)",
                "(so much|a lot of|lots of|too much|pool of) blood",
                "blood (everywhere|all over|is pouring|pouring|gushing|spurting)",
                "(convulsing|convulsions|foaming at the mouth|having a seizure|had a seizure)",
                "(throat|tongue|airway) ...3 (swelling|swollen|closing|closed)",
                "lips ...3 (swelling|swollen)",
                "anaphyla*",
                "(overdosed|overdosing|oded)",
                "(i|he|she|they|just|friend) (odd|oded|od)",
                "(hit|hitting|banged) (my|his|her) head ...5 (bleeding|blood|passed out|"
                "unconscious|will not wake|confused|throwing up|vomiting)",
                "(took|swallowed) ...4 (too many|too much) ...2 of? (my|his|her|the)? "
                "(medicine|medication|pills|insulin)",
                "(clutching|holding|grabbing|grabbed|clutched|clutches) (his|her|my) (chest|heart)",
                "eyes (rolled|rolling|roll) (back|up)",
                "bleeding (through|into|all over|onto) (the|my|his|her)? (towel|towels|"
                "bandage|bandages|gauze|shirt|sheets|clothes)",
                "suddenly (can not|could not) (talk|speak|see|walk|move|feel|stand)",
                "(can not|could not) (talk|speak|get words out|form words) (right|properly|"
                "clearly|normally)",
                "worst headache (of my life|ever|i have ever had)",
                "(sudden|thunderclap|explosive) severe? headache",
            ],
            "es": [
                "(dolor|duele|duelen|dolia|presion|aprieta|apretado|opresion|punzada|"
                "ardor) ~4 pecho",
                "(me cuesta|le cuesta|me falta|le falta|no puedo|no puede|no podia) ...2 "
                "(respirar|el aire|aire)",
                "no (reacciona|respira|despierta|abre los ojos|tiene pulso)",
                "(se tomo|me tome|tome|se trago|trago|me trague|bebio|se bebio|me bebi|"
                "se comio|me comi|ingirio) ...3 (cloro|veneno|lejia|detergente|limpiador|"
                "raticida|un monton|un frasco|demasiad*|todas las pastillas|todas mis|"
                "quimico|quimicos|gasolina|pila|pilas|baterias|insecticida|muchas pastillas)",
                "(debajo|abajo) del (fregadero|lavabo|lavaplatos|lavadero)",
                "no (deja|para|dejaba|paraba) de sangrar",
                "(sangra|sangrando|sangre) ...2 (mucho|muchisimo|por todos lados|sin parar|"
                "demasiado|a chorros)",
                "(labios|cara|piel|dedos) ...2 (morados|morado|morada|azules|azul|grises)",
                "(se esta poniendo|se puso|se pone) (morado|morada|azul)",
                "(derrame|embolia)",
                "(no siento|no puedo mover|no puede mover|no siente) ...3 (brazo|pierna|"
                "cara|lado|mitad)",
                "(cara|boca) ...3 (caida|chueca|torcida|paralizada)",
                "(desmayo|desmaye|desmayado|desmayada|inconsciente) ...4 (no reacciona|no "
                "despierta|no responde|se golpeo|sangra|no respira|convulsion*)",
                "(convulsionando|convulsiona|convulsiono|ataque epileptico)",
                "(garganta|lengua|labios) ...3 (hinchada|hinchados|hinchando|cerrando)",
                "(mezcle|tome|me tome) ...4 (alcohol|tragos|cerveza|vino|tequila) ...4 "
                "(pastillas|medicinas|medicamentos)",
                "(me tome|se tomo|tome|me trague|se trago) ...2 (frasco|bote|blister|caja "
                "entera|caja completa|todo el|todos los|todas las)",
                "(se cayo|se desmayo|se golpeo|tirado|tirada|en el piso|en el suelo) ...4 no "
                "(responde|reacciona|se mueve|despierta|habla)",
            ],
        },
        "examples": {
            "en": ["I can't breathe and my chest hurts", "my son drank bleach"],
            "es": ["no reacciona"],
        },
    },
]

FLOOR: dict[str, Any] = {
    "version": 1,
    "locales": ["en", "es"],
    "language": {
        "en": {
            "negations": ["not", "never", "no", "nor"],
            "scope_breakers": [
                "but",
                "stop",
                "stopped",
                "help",
                "sure",
                "know",
                "why",
                "if",
                "whether",
                "and",
                "or",
                "because",
                "wish",
                "except",
                "though",
                "than",
                "unless",
                "until",
                "think",
                "feel",
                "say",
                "said",
                "tell",
                "told",
                "care",
                "mind",
                "afraid",
                "scared",
                "even",
                "anyone",
                "anybody",
                "one",
                "matter",
                "point",
                "reason",
                "way",
            ],
            "contrasts": ["but", "though", "although", "however", "yet", "except"],
            "first_person": ["i", "me", "my", "myself", "we", "us", "ourselves", "mine"],
            "third_party": [
                f"my|a|our|her|his|their {_EN_PEOPLE}",
                "someone",
                "somebody",
                "he",
                "she",
                "they",
                "someone i know",
                "a person",
            ],
            "past": [
                "last year",
                "years ago",
                "* years ago",
                "months ago",
                "* months ago",
                "a while ago",
                "long time ago",
                "long ago",
                "when i was",
                "as a kid|child|teen|teenager",
                "in high|middle school",
                "in college",
                "in the past",
                "used to",
                "history of",
                "back then",
                "back in",
                "in 19*|20*",
                "once before",
                "years back",
                "survivor of",
                "i survived",
            ],
            "recent": [
                "today",
                "tonight",
                "last night",
                "this morning|afternoon|evening|week",
                "yesterday",
                "right now",
                "just now",
                "an hour ago",
                "hours ago",
                "again",
                "still",
                "earlier today",
                "just did",
                "just took",
            ],
            "negation_window": 3,
        },
        "es": {
            "negations": ["no", "nunca", "jamas", "ni", "tampoco"],
            "scope_breakers": [
                "pero",
                "sino",
                "si",
                "porque",
                "aunque",
                "se",
                "sabe",
                "dejo",
                "dejar",
                "deja",
                "y",
                "o",
                "puedo",
                "ayuda",
                "ojala",
                "creo",
                "importa",
                "razon",
                "nadie",
            ],
            "contrasts": ["pero", "aunque", "embargo"],
            "first_person": ["yo", "me", "mi", "conmigo", "nos", "nosotros", "nosotras"],
            "third_party": [
                f"mi|mis|un|una|su|nuestro|nuestra {_ES_PEOPLE}",
                "alguien",
                "ella",
                "ellos",
                "ellas",
                "alguien que conozco",
            ],
            "past": [
                "el ano pasado",
                "hace anos",
                "hace * anos",
                "hace meses",
                "hace * meses",
                "hace tiempo",
                "hace mucho",
                "cuando era",
                "cuando tenia",
                "de nino|nina|joven|adolescente",
                "en el pasado",
                "solia",
                "antes",
                "en la secundaria|prepa|universidad",
                "en 19*|20*",
            ],
            "recent": [
                "hoy",
                "anoche",
                "esta noche|manana|tarde|semana",
                "ahora mismo",
                "ahorita",
                "ayer",
                "acabo de",
                "todavia",
                "otra vez",
                "de nuevo",
                "aun",
            ],
            "negation_window": 3,
        },
    },
    "categories": {
        "suicide_self_harm": {
            "level": "crisis",
            "third_party": "concern",
            "past": "concern",
            "markers": {
                "en": [
                    "pill|pills|gun|guns|firearm|rope|noose|razor|razors|blade|blades|bridge",
                    "have|made|got a plan",
                    "my plan",
                    "planned it",
                    "a note",
                    "suicide note",
                    "goodbye note|letter",
                    "stockpil*",
                    "saving|saved up",
                    "tonight",
                    "said goodbye",
                    "giving away my",
                    "permanently",
                    "forever",
                    "goodbye",
                    "my will",
                    "ready to go|die",
                    "on the roof|ledge|bridge",
                    "(wrote|written|writing) (letters|a letter|notes|a note) to my",
                    "feels like relief",
                    "made up my mind",
                    "for good",
                    "once and for all",
                    "noose",
                    "lined up",
                    "razor blade|blades",
                    "knife|knives",
                ],
                "es": [
                    "pastilla|pastillas|pistola|arma|cuerda|navaja|cuchilla|puente|azotea",
                    "edificio",
                    "tengo|hice un plan",
                    "mi plan",
                    "una nota",
                    "carta de despedida",
                    "esta noche",
                    "me despedi",
                    "soga",
                    "para siempre",
                    "de una vez",
                ],
            },
            "imminence": _SUICIDE_IMMINENCE,
            "timing": _IMMINENCE_TIME,
            "exemptions": {
                "en": [
                    *_HELP_PLANS["en"],
                    "cut|hurt myself shaving|cooking|chopping|accidentally|gardening|running",
                    "cut|hurt myself by accident",
                    "cut myself on a|the knife|glass|paper|can",
                    "hurt myself at|playing|lifting|exercising|skiing|falling|working",
                    "killing myself laughing",
                    "kill myself laughing",
                    "killing myself at work",
                    "take|taking my life back",
                    "end it|things with",
                    "end things on a good note",
                    "suicide prevention|awareness|hotline|lifeline|squad|doors",
                    "die of|from embarrassment|laughter|boredom",
                    "want to die laughing",
                    "died|dying|die laughing",
                    "dead tired|serious|set|end|wrong",
                    "dying to|for|of",
                    "death of me",
                    "near death experience",
                    "i am dead lol",
                    "lol i am dead",
                    "(bored|embarrassed|hungry|tired|happy) i could die",
                    "died|dyed my hair",
                    # games, hobbies and accidents the net's word windows could reach
                    "(dying|die|died|dead) (on|in|at|to) (the|a|this|that|every|my)? ...2 "
                    "(boss|level|game|round|match|stage|raid|map|fight|mission|lobby|zombies)",
                    "bridge (club|game|games|tournament|night|lesson|lessons|party|group|toll|"
                    "tolls|traffic)",
                    "(climbing|camping|jump|skipping|tow|boat|sailing|hammock|swing|dog|tug|"
                    "gym|battle) rope|ropes",
                    "rope|ropes ...3 (climbing|camping|boat|sailing|hammock|swing|gym|"
                    "crossfit|dog|garden|tent|project|craft|crafts|workout|course)",
                    "(cut|burned|burnt|scratched|hurt|hit|banged|stabbed|sliced) my (hand|"
                    "hands|finger|fingers|thumb|arm|leg|knee|head|foot|skin|face|wrist) ...4 "
                    "(chopping|cooking|shaving|accidentally|by accident|on the|on a|at work|"
                    "gardening|playing|while|when|slicing|opening|baking|ironing|working)",
                    "knife|knives ...3 (slipped|cooking|chopping|kitchen|sharpen|sharpened)",
                    "(relapse|relapsed|relapsing) ...4 (smoking|cigarettes|nicotine|vaping|"
                    "drinking|alcohol|gambling|my diet|sugar|weed|caffeine)",
                    "(smoking|cigarettes|nicotine|vaping|drinking|alcohol|gambling|weed) ...6 "
                    "(relapse|relapsed|relapsing)",
                    "(grieving|mourning|grief|processing|cope with|coping with|dealing with) "
                    "...3 (death|loss)",
                    "jump (back|right) (into|in|on)",
                    "(stressed|scared|bored|worried|sick|frightened) to death",
                    "(around|with|see|seeing|deal with|dealing with) death (a lot|every day|"
                    "daily|at work|for a living|all the time)",
                    "want out of (my|this|the|a|our) (job|relationship|marriage|lease|"
                    "contract|city|town|house|program|class|school|deal|group|situation)",
                    "(die|dying|dead) (inside)? of|from (cancer|covid|old age|a heart attack|"
                    "an illness)",
                    "(breathe|breath|breathing) (through|out of|with) (my|his|her) nose",
                    "(goodbye|farewell) (letter|note|message|email|card) to (my|the|our) (job|"
                    "old job|coworkers|team|class|boss|company|school|students|old school)",
                    "disappear ...3 (vacation|week|weekend|trip|holiday|hawaii|beach|cabin)",
                ],
                "es": [
                    *_HELP_PLANS["es"],
                    "me corte cocinando|rasurandome|afeitandome|sin querer",
                    "amenazo|amenaza|amenazan con matarme",
                    "(quiere|quieren|va a|van a) matarme",
                    "prevencion del suicidio",
                    "me muero de risa|ganas|hambre|sueno|verguenza|calor|frio",
                    "(morir|morirme|muero|muerto|muerta|muriendo|muera) de (la|el)? (risa|ganas|"
                    "hambre|sueno|verguenza|calor|frio|cansancio|miedo|aburrimiento|sed|amor|"
                    "nervios|pena|envidia|cancer|viejo|vieja)",
                    "(cuerda|soga) ...2 (para|de) (escalar|acampar|tender|saltar|el perro|"
                    "la ropa|el barco|columpio|la hamaca)",
                    "(queme|corte|lastime|golpee) ...3 (cocinando|estufa|plancha|sol|sin "
                    "querer|accidente|trabajando|jugando)",
                    "desaparecer ...3 (vacaciones|semana|fin de semana|viaje|playa)",
                ],
            },
            "rules": [
                {
                    "id": "floor.suicide.intent",
                    "level": "crisis",
                    "patterns": {
                        "en": [
                            "kill|killing myself",
                            "end|ending my life",
                            "take|taking my own? life",
                            "commit|committing suicide",
                            "suicidal",
                            "suicide plan|thoughts",
                            "thoughts of|about suicide",
                            "thinking of|about suicide",
                            "want|wants|wanting|wanted to die",
                            "want to be dead",
                            "wish i was|were dead",
                            "better off dead",
                            "unaliv*",
                            "do not want to live|exist",
                            "do not want to be alive|here",
                            "not want to be alive",
                            "no reason to live",
                            "going to end it all",
                            "end it all",
                            "feel like ending it",
                            "thinking about|of ending it",
                            "if i killed myself",
                            "hurt*|harm*|cut|cutting|burn*|injur* myself",
                            "self harm",
                            "do not want to wake up",
                            "never wake up",
                            "off myself",
                            "hang myself",
                            "shoot myself",
                            "jump off a|the bridge|building|roof",
                            "not see (the|a|any) point (in|of) (living|life|existing|going on)",
                            "not see the|a|any point in|of being alive|here",
                            "want|going|plan|planning|decided|ready to end it|things|everything",
                            "end it tonight|today|soon",
                            "end things tonight|soon",
                            "(better|happier) if i (was|were) (gone|dead|not here|not around)",
                            "happier without me",
                            "going|want|plan|planning to overdose|od",
                            "plan|plans|planning|planned my suicide",
                            "ways|how to die",
                            "easiest|painless|quickest|fastest way to die|go",
                            "ways|how to kill myself",
                            "use it|them on myself",
                            "gun|pills|rope for myself",
                            "to use on myself",
                            "will not be (here|around) (much longer|anymore|tomorrow)",
                            "this is goodbye",
                            "goodbye forever",
                            "not want to exist",
                            "have|got the|a|my rope|noose|pills|gun ready",
                            "pills|rope|noose|gun is|are ready",
                            "(might|will|could|going to) do to myself",
                            "do something to myself",
                            "not ... make it (through the night|through tonight|till morning)",
                            "stockpil*",
                            "(saving up|hoarding|collecting) my? (pills|meds|"
                            "medication|sleeping pills|painkillers|tablets)",
                            "(drive|driving|crash|crashing) my car (into|off)",
                            "(step|walk|run|jump) in front of a (train|bus|car|truck)",
                            "not worth living",
                            "to not wake up",
                            "not wake up (tomorrow|again)",
                            "stop existing",
                            "cease to exist",
                            "not exist anymore",
                            "cut (deep|deeper|too deep)",
                            "done with (life|living)",
                            "end|ending|take|taking my own life",
                            "kill|killing my own self",
                            "how many (pills|tablets) (it takes|does it take|to die|would kill)",
                            "end this (tonight|today|now|for good)",
                            "tonight is the night",
                            "sitting|standing here with a (razor|blade|gun|knife|rope|noose)",
                            "holding a (razor|blade|gun|rope|noose)",
                            "(relieved|happier|better|easier) if i (died|was dead|were dead|"
                            "was gone|were gone|killed myself|disappeared)",
                            "hang|hanging|hanged myself",
                            "cut|cuts|cutting my (thighs|arms|wrists|wrist|legs|skin|stomach)",
                            "want my life to (be over|end)",
                            "sleep forever",
                            "(standing|sitting) (at|on) the edge of",
                            "by my own hand",
                            "can not do (life|this life) anymore",
                            "(once|when|after) i am (dead|gone)",
                            "until i (do not|never) wake up",
                            "disappear (for good|forever)",
                            "about to end (it|things|everything|my life)",
                        ],
                        "es": [
                            "matarme",
                            "me quiero matar",
                            "me voy a matar",
                            "quiero morir|morirme",
                            "me quiero morir",
                            "quitarme la vida",
                            "suicidarme",
                            "suicida",
                            "pensamientos suicidas",
                            "no quiero vivir",
                            "no quiero seguir viviendo",
                            "no quiero estar vivo|viva",
                            "hacerme dano",
                            "lastimarme",
                            "cortarme",
                            "me corto",
                            "me estoy cortando",
                            "acabar|terminar con mi vida",
                            "mejor muerto|muerta",
                            "ojala estuviera muerto|muerta",
                            "quiero estar muerto|muerta",
                            "ahorcarme",
                            "tirarme de|del puente",
                            "me (tiro|tirare|voy a tirar|aviento|avento) (de|del|desde) "
                            "(el|la|un|una)? (puente|edificio|azotea|techo|balcon|ventana)",
                            "(quiero|voy a|pienso|pensando en) suicidar*",
                            "(me quiero|me voy a) suicidar",
                            "no quiero seguir aqui|viviendo|existiendo",
                            "no quiero estar aqui",
                            "no quiero existir",
                            "no quiero estar (mas)? (aqui|aca)",
                            "(no tengo|sin|ya no tengo|perdi las|no me quedan) ganas de vivir",
                            "ojala no (despertara|despertar|amaneciera|amanecer)",
                            "(quitarme|quitar) de en medio",
                            "me corte|cortare las venas|munecas|brazos|piernas",
                            "me corte a proposito",
                            "cortarme las venas|munecas",
                            "formas|maneras de morir|matarme",
                            "acabar con todo",
                            "no quiero (despertar|despertarme)",
                            "no (vale|tiene) la pena vivir",
                            "ganas de (morir|morirme|matarme)",
                            "quiero (dejar de existir|desaparecer para siempre)",
                            "(quitarme|me quito|me quite|quitar) la vida",
                            "(quisiera|quiero|ojala) estar (muerto|muerta)",
                            "(quiero irme|irme|me quiero ir|me voy) de este mundo",
                            "me corte (otra vez|de nuevo)",
                        ],
                    },
                    "examples": {
                        "en": [
                            "I want to kill myself",
                            "im suicidal",
                            "kms",
                            "I want 2 die",
                            "k1ll my self",
                        ],
                        "es": ["Quiero morir", "me quiero matar"],
                    },
                },
                {
                    "id": "floor.suicide.attempt",
                    "level": "crisis",
                    "patterns": {
                        "en": [
                            "tried|trying to kill myself",
                            "attempted suicide",
                            "suicide attempt*",
                            "took|swallowed all my pills|medication",
                            "overdosed on purpose",
                            "(took|swallowed|taken) (a bottle|a handful|a bunch|a lot|all) of "
                            "(my|the|her|his)? (pills|tablets|meds|medication|antidepressants|"
                            "sleeping pills|painkillers)",
                            "took|swallowed|taken a whole bottle",
                        ],
                        "es": [
                            "intente matarme|suicidarme",
                            "intento de suicidio",
                            "me tome todas las|mis pastillas",
                        ],
                    },
                    "examples": {
                        "en": ["I tried to kill myself tonight"],
                        "es": ["intenté suicidarme anoche"],
                    },
                },
                {
                    "id": "floor.suicide.someone_else",
                    "level": "concern",
                    "patterns": {
                        "en": [
                            "kill|killing himself|herself|themselves",
                            "cutting|hurting|harming himself|herself|themselves",
                            "lost * to suicide",
                            "lost my * to suicide",
                            "end|ending his|her|their life",
                            "took his|her|their own life",
                            "died by suicide",
                            "committed suicide",
                        ],
                        "es": [
                            "matarse",
                            "suicidarse",
                            "quitarse la vida",
                            "se quiere matar",
                            "se va a matar",
                            "se suicido",
                            "quiere (morir|morirse)",
                            "se quito la vida",
                        ],
                    },
                    "examples": {
                        "en": ["my friend wants to kill herself"],
                        "es": ["mi amiga quiere matarse"],
                    },
                },
                {
                    "id": "floor.suicide.hopeless",
                    "level": "concern",
                    "mood": True,
                    "patterns": {
                        "en": [
                            "hopeless",
                            "can not go on",
                            "can not do this anymore",
                            "can not take it anymore",
                            "no point in living|going on",
                            "tired of living|life",
                            "give|giving up on life",
                            "want to disappear",
                            "nothing to live for",
                            "want (it all|everything) to (stop|end)",
                            "make it all stop",
                            "(its|it is) over for me",
                            "done with (it all|everything)",
                            "thinking (of|about) jumping",
                            "want to jump",
                            "(picturing|imagining|planning) my own? funeral",
                            "in case i am not (around|here)",
                            "when|after i am gone",
                            "empty and worthless",
                            "i am worthless",
                            "relapsed",
                            "attempted (once|twice|before|several times)",
                            "going to take (them all|them|all of them|it all)",
                            "no reason to (keep going|go on)",
                            "nothing will ever? get better",
                            "never going to get better",
                            "i ... (die|died|dead|death)",
                            "thinking about using (it|the gun|them)",
                            "i want out",
                            "(wrote|written|writing|made) my will",
                        ],
                        "es": [
                            "sin esperanza",
                            "ya no puedo mas",
                            "no puedo mas",
                            "no aguanto mas",
                            "quiero saltar",
                            "quiero tirarme",
                            "me las voy a tomar",
                            "no tiene sentido vivir",
                            "quiero desaparecer",
                            "cansado|cansada de vivir",
                            "nada por que|para vivir",
                        ],
                    },
                    "examples": {"en": ["I feel hopeless"], "es": ["ya no puedo más"]},
                },
                {
                    "id": "floor.suicide.mention",
                    "level": "concern",
                    "mood": True,
                    "patterns": {"en": ["suicide"], "es": ["suicidio"]},
                    "examples": {
                        "en": ["I've been reading about suicide"],
                        "es": ["pienso en el suicidio"],
                    },
                },
                *_SUICIDE_NET,
                *TRIPWIRE["suicide_self_harm"],
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
            "imminence": _OTHERS_IMMINENCE,
            "timing": _IMMINENCE_TIME,
            "exemptions": {
                "en": [
                    *_HELP_PLANS["en"],
                    "kill|killing|shoot|shooting|murder * in fortnite|minecraft|roblox|valorant|"
                    "warzone|cod|apex|overwatch|halo|game|games|pvp",
                    "kill|killing|shoot|shooting * in the|a game",
                    "kill * with kindness",
                    "kill them with kindness",
                    "hurt his|her|their|your feelings",
                    "shoot|shooting him|her|them|you a text|message|email|note|line",
                    "kill|killing him|her|them|me|us with",
                    "hit (him|her|them|someone|you) up",
                    "beat (him|her|them|my|someone|everyone) ...2 (at|in)",
                    "(hurt|hurting|harm|harming) (his|her|their|your|my|someones|peoples|"
                    "anyones) ...2 feelings",
                ],
                "es": [
                    *_HELP_PLANS["es"],
                    "matarlo|matarla|matarlos en el juego|fortnite|minecraft",
                ],
            },
            "rules": [
                {
                    "id": "floor.others.intent",
                    "level": "crisis",
                    "patterns": {
                        "en": [
                            f"kill|killing|murder|murdering|stab|stabbing {_EN_TARGETS}",
                            "shoot|shooting him|her|them|someone|somebody|people|everyone",
                            "kill|killing|murder|stab|shoot my|his|their "
                            f"{_EN_ABUSERS}|kids|son|daughter|baby|neighbor|roommate|coworker*",
                            "hurt|harm|hurting|harming someone|somebody|people|others|everyone",
                            "hurt|harm my baby|kids|child|children|son|daughter",
                            "homicidal",
                            "thoughts of|about hurting|killing|harming",
                            "shoot up the|my school|office|work|workplace|place",
                            "make them|him|her pay",
                            "urge|urges to hurt|kill|harm",
                            "beat|stab|strangle|choke * to death",
                            "want|going to beat * up",
                            "(imagining|picturing|fantasizing about|fantasize about) "
                            "(strangling|killing|stabbing|hurting|shooting|choking)",
                            "i will kill him|her|them",
                            "(shake|smother|drown|suffocate) (my|the) baby",
                            "run (him|her|them) over",
                            "run over (him|her|them)",
                            "burn (his|her|their) (house|car|place) down",
                        ],
                        "es": [
                            "matarlo",
                            "matarla",
                            "matarlos",
                            "matarlas",
                            "voy a matar a",
                            "quiero matar a",
                            "hacerle dano a",
                            "lastimar a alguien",
                            "hacer dano a (alguien|otros|mi bebe|mis hijos)",
                            "pensamientos de hacer dano|matar",
                        ],
                    },
                    "examples": {
                        "en": ["I'm going to kill him", "I want to hurt someone"],
                        "es": ["quiero matarlo"],
                    },
                },
                *_OTHERS_NET,
                *TRIPWIRE["harm_to_others"],
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
                "en": [
                    "beat|beats me at|in (chess|cards|games|tennis|running|everything|a race|"
                    "the race|a game|the game|golf|poker|basketball|soccer|a match)",
                    "hit me up",
                    "hits me up",
                    "hit me with",
                    "it hit me",
                    "that hit me",
                    "hurts me to say|see|hear|think",
                    "really|deeply|so touched me",
                    "(grabbed|grabs|grab) me (a|an|some|coffee|lunch|food|dinner|drink)",
                    "beat|beats me to (it|the punch)",
                    "(kicked|kicks) me out of (the|a|our|his|her)? (group|chat|class|game|"
                    "team|server|discord|meeting|band|club|call)",
                    "(it|this|that|news|reality|grief|loss) ...2 (hit|hits) me",
                    "(scared|afraid|nervous) to go home (for|over) (the holidays|christmas|"
                    "thanksgiving|break|the summer|spring break|winter break|easter)",
                    "(pushed|pushes|pushing) me (to|into) (be|do|try|take|apply|go|finish|"
                    "work|study|get|doing|taking|applying|going)",
                ],
                "es": [
                    "me pega el sol",
                    "me gano en",
                    "me (pego|pega) (la gripa|la gripe|el sol|el virus|el covid|el calor)",
                ],
            },
            "rules": [
                {
                    "id": "floor.abuse.physical",
                    "level": "crisis",
                    "patterns": {
                        "en": [
                            "hits|hit|beats|beat|punches|punched|chokes|choked|strangles|"
                            "strangled|kicks|kicked|slaps|slapped|hurts|abuses|abused|burns me",
                            "beat|beats me up",
                            "being abused",
                            "being hurt at home",
                            "domestic violence",
                            f"afraid|scared|terrified of my {_EN_ABUSERS}",
                            "not safe at home",
                            "afraid|scared to go home",
                            "do not feel safe at home|here",
                            "was|got|been abused",
                            "threatened|threatens|threatening to kill|hurt me",
                            "said he|she|they would|will kill me",
                            "he|she|they will kill me",
                            "will not let me leave",
                            "locks me in|up|out",
                            "hits|beats|chokes|abuses her|him|them",
                            "was|got|been assaulted|attacked|jumped",
                            "assaulted|attacked me",
                            "hitting|beating|hurting|kicking|punching|choking|strangling me",
                            "hands (around|on) my (neck|throat)",
                            "(he|she|they) (is|are)? going to (hurt|kill) me",
                            "hiding from (him|her|them)",
                            "(slammed|smashed|shoved|threw) my? (head|me) (into|against)",
                            "(grabbed|grabs|held|holds) me by the (throat|neck|hair)",
                            "hits|beats|chokes|abuses his|her|their kids|children|son|daughter|"
                            "wife|husband|girlfriend|boyfriend|partner",
                        ],
                        "es": [
                            "me pega",
                            "me pegan",
                            "me golpea",
                            "me golpean",
                            "me maltrata",
                            "me pego|golpeo|pegaron|golpearon|lastimo",
                            "me maltratan",
                            "me ahorca",
                            "me estrangula",
                            "me abusa",
                            "abusa|abusan de mi",
                            "violencia domestica|familiar",
                            "me amenaza|amenazo con matarme",
                            "me quiere matar",
                            f"tengo miedo de mi {_ES_ABUSERS}",
                            "no estoy seguro|segura en casa",
                            "miedo de volver|regresar a casa",
                            "no me deja salir",
                            "le pega|golpea|pegan|golpean",
                        ],
                    },
                    "examples": {
                        "en": ["my husband hits me", "I'm scared to go home"],
                        "es": ["mi esposo me pega"],
                    },
                },
                {
                    "id": "floor.abuse.sexual",
                    "level": "crisis",
                    "patterns": {
                        "en": [
                            "raped|rape|molested|molests me",
                            "was|got|been raped",
                            "was|got|been molested",
                            "sexually assaulted|abused",
                            "sexual assault|abuse",
                            "sexually assaulted|abused me",
                            "touches|touched me inappropriately",
                            "touches|touched me down there",
                            "touches me",
                            "inappropriately touched",
                            "forced|forces|makes|made me to? have sex",
                            "forced|forces me to do sexual|things",
                        ],
                        "es": [
                            "me violo|violaron",
                            "me violan",
                            "abuso sexual",
                            "abusaron de mi",
                            "abuso de mi",
                            "me toca ahi",
                            "me toca mis partes",
                            "me toca donde no",
                            "me toca de forma",
                            "me tocaba",
                            "me manosea|manoseaba",
                            "me obligo|obliga a tener relaciones",
                            "fui violada|violado",
                            "agresion sexual",
                        ],
                    },
                    "examples": {
                        "en": ["I was raped", "my uncle touches me"],
                        "es": ["me violaron"],
                    },
                },
                *_ABUSE_NET,
                *TRIPWIRE["abuse_violence"],
            ],
        },
        "medical_emergency": {
            "level": "crisis",
            "third_party": "keep",
            "past": "concern",
            "markers": {"en": [], "es": []},
            "exemptions": {
                "en": [
                    "gave|give|giving me a heart attack",
                    "almost|nearly had|gave me? a heart attack",
                    "going to have a heart attack",
                    "overdos* on netflix|tv|coffee|caffeine|sugar|chocolate|candy|cute*|memes",
                    "overdose patients|prevention|awareness|training|kit|kits|reversal",
                    "work|works|working with overdose",
                    "(face|lip|lips|mouth) ...3 (dentist|novocaine|numbing|filling|botox)",
                    "(arm|leg|side) ...4 (from|after) (sitting|sleeping|running|the gym|"
                    "working out|lifting)",
                    "(chest|leg|arm) day",
                    "chest of drawers",
                    "(see|seeing|saw|treat|treating|treated|handle|handling|nurse|nurses|"
                    "doctor|paramedic|paramedics) ...3 overdoses",
                    "(died|passed away|passed|lost him|lost her) (of|from|to) a? (heart "
                    "attack|stroke|overdose|seizure)",
                    "(overdosed|odd|oded|died|passed) ...2 (years|months|a year|a while|long) ago",
                    "seizure disorder",
                    "(have|get|had|got) (panic|anxiety) attacks ...6 chest",
                    "(anxiety|panic|anxious) ...5 (feel|feels|feeling) like (i|he|she)? (can "
                    "not|could not) breathe",
                    "(breathe|breath|breathing) (through|out of|with) (my|his|her) nose",
                    "(stuffy|stuffed|blocked) nose",
                    "the (bleeding|blood) (stopped|has stopped|is under control)",
                ],
                "es": [
                    "me va a dar un infarto",
                    "casi me da un infarto",
                    "(dentista|anestesia)",
                    "(murio|fallecio|muerto|muerta) de (un )?(infarto|ataque al corazon|derrame)",
                    "respirar ...3 (nariz|alergia|congestion)",
                    "(tuvo|tuve|ha tenido|he tenido|despues de|desde|despues del|desde el) "
                    "(un|su|el|mi)? (derrame|infarto|embolia|ataque al corazon)",
                ],
            },
            "rules": [
                {
                    "id": "floor.medical.emergency",
                    "level": "crisis",
                    "patterns": {
                        "en": [
                            "chest pain|pains",
                            "heart attack",
                            "having a stroke",
                            "can not breathe",
                            "not breathing",
                            "stopped breathing",
                            "seizure",
                            "overdos*",
                            "took too many pills|tablets",
                            "took a bunch of pills",
                            "unconscious",
                            "will not wake up",
                            "bleeding (a lot|badly|heavily)",
                            "will not stop bleeding",
                            "call|need an ambulance",
                            "allergic reaction",
                            "trouble|difficulty breathing",
                            "hard time breathing",
                            "chest (hurts|is tight|feels tight)",
                            "collapsed",
                            "not responding|responsive",
                            "unresponsive",
                            "throat is closing|swelling",
                            "pain in my chest",
                            "swallowed a (battery|magnet|coin|button battery)",
                            "(vomiting|throwing up|coughing up) blood",
                            "too much of? my (medication|meds|pills|insulin)",
                            "swallowed bleach|poison",
                            "poisoned",
                        ],
                        "es": [
                            "dolor en el pecho",
                            "dolor de pecho",
                            "ataque al corazon",
                            "infarto",
                            "no puedo respirar",
                            "no respira",
                            "convulsion*",
                            "sobredosis",
                            "muchas|demasiadas pastillas",
                            "inconsciente",
                            "no despierta",
                            "sangrando mucho",
                            "no para de sangrar",
                            "una ambulancia",
                            "me envenene",
                            "envenenado|envenenada",
                        ],
                    },
                    "examples": {
                        "en": ["I have chest pain", "he's not breathing"],
                        "es": ["no puedo respirar"],
                    },
                },
                *_MEDICAL_NET,
                *TRIPWIRE["medical_emergency"],
            ],
        },
    },
    "resources": [
        {
            "id": "call_988",
            "href": "tel:988",
            "label": {
                "en": "Call 988 (Suicide & Crisis Lifeline)",
                "es": "Llame al 988 (Línea de Prevención del Suicidio y Crisis)",
            },
        },
        {
            "id": "text_988",
            "href": "sms:988",
            "label": {"en": "Text 988", "es": "Envíe un mensaje de texto al 988"},
        },
        {
            "id": "text_741741",
            "href": "sms:741741?body=HOME",
            "label": {
                "en": "Text HOME to 741741 (Crisis Text Line)",
                "es": "Envíe HOME al 741741 (Crisis Text Line; en español, escriba AYUDA)",
            },
        },
        {
            "id": "call_911",
            "href": "tel:911",
            "label": {"en": "Call 911 in an emergency", "es": "Llame al 911 en una emergencia"},
        },
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
