"""The floor's tripwire: the last and widest net, at concern level, over risk words themselves.

A phrase rule or the net reads a meaning; the tripwire only reads that a high-risk word is there
(dying, pills, rope, bridge, gun, blood, "hit me", "me pega"…) in a context that could be the
visitor's own, and raises a concern unless an everyday idiom explains it. Plain data merged into
the floor by ``safety_floor``. Pure: imports nothing.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TRIPWIRE", "TRIPWIRE_PREFIX"]

TRIPWIRE_PREFIX = "floor.tripwire."

# Why a tripwire. Fresh phrasings written before anyone looked at the rules were caught about half
# the time by phrases and the net together: a new way of saying it is a new phrase. The words a
# crisis is told in change far less than the phrases: a method, a body, a death, a person who
# hurts. A concern costs a softer message with the resources and a flag staff read; a miss can
# cost a life. So this layer fires on the word, and stays quiet only for a known idiom (its own
# ``exemptions`` plus the category's), a negation, or, for ``subject: self`` rules, a sentence
# that is about someone else ("my grandma is dying"). Its hits are never more than a concern
# (``safety._judge``), and every rule id starts with TRIPWIRE_PREFIX.


def _parts(alternatives: str, n: int = 2) -> list[str]:
    """A long ``a|b|c`` list in ``n`` pieces, so that each pattern stays under the schema's
    length limit for one phrase."""
    words = alternatives.split("|")
    size = -(-len(words) // n)
    return ["|".join(words[i : i + size]) for i in range(0, len(words), size)]


_EN_PERSON = (
    "he|she|they|him|her|them|husband|wife|partner|boyfriend|girlfriend|bf|gf|dad|father|mom|"
    "mother|stepdad|stepmom|stepfather|stepmother|stepbrother|stepsister|uncle|aunt|brother|"
    "sister|cousin|grandpa|grandfather|grandma|grandmother|parents|parent|coach|teacher|boss|ex|"
    "fiance|fiancee|babysitter|neighbor|pastor|priest|tutor|guardian|foster|someone|somebody|man|"
    "guy|woman|roommate|landlord|manager|relative|boyfriends|husbands|dads|moms|brothers|uncles|"
    "cousins|coworker|classmate|friend|friends|son|daughter|nanny|caretaker|caregiver|doctor|"
    "counselor|youth pastor|leader|people|men|kids|everyone"
)
_EN_TARGET = (
    "(him|her|them|his|their|he|she|they|husband|wife|partner|boyfriend|girlfriend|ex|exs|boss|"
    "neighbor|neighbors|coworker|coworkers|roommate|roommates|stepdad|stepfather|stepmom|"
    "stepmother|dad|father|mom|mother|brother|sister|son|daughter|kid|kids|child|children|baby|"
    "babies|toddler|teacher|classmates|classmate|students|people|everyone|everybody|someone|"
    "somebody|anyone|anybody|landlord|manager|family|uncle|aunt|cousin|in law|inlaws|bully|guy|"
    "man|woman|girl|boy)"
)
_EN_PILLS = (
    "(pills|pill|tablets|tablet|capsules|meds|medication|medications|medicine|medicines|"
    "antidepressants|painkillers|tylenol|ibuprofen|advil|motrin|aleve|aspirin|xanax|insulin|"
    "benadryl|opioids|oxy|oxycodone|percocet|vicodin|fentanyl|lithium|klonopin|valium|ambien|"
    "seroquel|zoloft|prozac|lexapro|sertraline|acetaminophen|paracetamol|melatonin|adderall|"
    "gabapentin|trazodone|sleeping pills|sleep aids|sleep meds)"
)
_EN_PLACE = (
    "(bridge|ledge|roof|rooftop|cliff|cliffs|overpass|balcony|tracks|train tracks|railroad|"
    "parking garage|top floor|edge|water tower|dam|highway|freeway|platform|window|building)"
)
_EN_GUN = "(gun|guns|pistol|revolver|firearm|rifle|shotgun|handgun|glock|bullet|bullets|ammo)"
_EN_BLADE = (
    "(knife|knives|blade|blades|razor|razors|razor blade|box cutter|scissors|shard|"
    "glass shard|broken glass|pencil sharpener blade)"
)
_EN_WEAPON = (
    "(gun|guns|pistol|revolver|firearm|rifle|shotgun|handgun|glock|bullets|ammo|knife|knives|"
    "machete|bat|baseball bat|crowbar|hammer|axe|weapon|weapons|taser|brass knuckles)"
)
_EN_HARM_VERB = (
    "kill|killing|murder|murdering|stab|stabbing|shoot|shooting|strangle|strangling|choke|choking|"
    "smother|smothering|suffocate|suffocating|poison|poisoning|drown|drowning|burn|burning|"
    "hurt|hurting|harm|harming|beat|beating|bash|bashing|punch|punching|slap|slapping|hit|"
    "hitting|attack|attacking|slit|run over|bleed"
)
_EN_SUBJECT = (
    "i|ill|i will|i would|id|i could|i might|going to|gonna|want to|wanna|ready to|about to|"
    "tempted to|urge to|thinking about|thought about|think about|thought of|thoughts of|"
    "fantasize about|dream about|plan to|planning to|swear i will|swear ill|should|could just|"
    "i am going to"
)
_EN_BLOWS = (
    "hit|hits|hitting|punch|punches|punched|punching|choke|chokes|choked|choking|strangle|"
    "strangles|strangled|strangling|slap|slaps|slapped|slapping|smack|smacks|smacked|beat|beats|"
    "beating|beaten|kick|kicks|kicked|kicking|shove|shoves|shoved|shoving|push|pushes|pushed|"
    "pushing|grab|grabs|grabbed|grabbing|drag|drags|dragged|bit|bite|bites|biting|pinch|pinches|"
    "pinched|whip|whips|whipped|belt|belts|belted|spank|spanks|spanked|burn|burns|burned|burnt|"
    "threw|throws|throw|throwing|spit|spits|spat|squeeze|squeezed|restrain|restrained|tie|tied|"
    "ties|hurt|hurts|hurting|harm|harms|harmed|bruise|bruised|bruises|broke|breaks|corner|"
    "corners|cornered|trap|traps|trapped|lock|locks|locked|rape|rapes|raped|raping|assault|"
    "assaults|assaulted|molest|molests|molested|grope|gropes|groped|touch|touches|touched|"
    "touching|rub|rubs|rubbed|force|forces|forced|forcing|pressure|pressures|pressured|"
    "pressuring|coerce|coerced|threaten|threatens|threatened|threatening|stalk|stalks|stalked|"
    "stalking|follow|follows|followed|track|tracks|tracked|abuse|abuses|abused|abusing|drug|"
    "drugged|film|filmed|filming|record|recorded|blackmail|blackmails|blackmailed|attack|"
    "attacks|attacked|hold|holds|held|pin|pins|pinned|slam|slams|slammed|strip|stripped"
)
_ES_PERSON = (
    "el|ella|ellos|esposo|esposa|marido|pareja|novio|novia|papa|padre|mama|madre|padrastro|"
    "madrastra|tio|tia|hermano|hermana|hermanastro|primo|prima|abuelo|abuela|jefe|maestro|"
    "maestra|profesor|profesora|entrenador|padrino|vecino|ex|suegro|suegra|alguien|hombre|senor|"
    "padres|cunado|cunada|companero|companera|pastor|sacerdote|ninera|novio de mi mama|"
    "pareja de mi mama"
)
_ES_ABUSE_VERB = (
    "golpea|golpeo|golpean|golpeaba|golpearon|pega|pego|pegan|pegaba|pegaron|amenaza|amenazo|"
    "amenazan|amenazaba|amenazaron|toca|toco|tocaba|tocan|tocaron|manosea|manoseo|manoseaba|"
    "mata|matara|va a matar|van a matar|quiere matar|avienta|avento|aventaba|avientan|hace cosas|"
    "hizo cosas|hacia cosas|obliga|obligo|obligaba|obligan|forzo|fuerza|viola|violo|violaba|"
    "violaron|abusa|abuso|abusaba|abusaron|lastima|lastimo|lastimaba|ahorca|ahorco|ahorcaba|"
    "encierra|encerro|encerraba|jala|jalo|jalaba|empuja|empujo|empujaba|patea|pateo|pateaba|"
    "cachetea|cacheteo|muerde|mordio|quema|quemo|quemaba|amarra|amarro|arrastra|arrastro|"
    "persigue|acosa|acoso|vigila|chantajea|chantajeo|estrangula|estrangulo|da cachetadas|"
    "dio cachetadas|da golpes|dio golpes|da de golpes|dio de golpes|tira|tiro|tiraba"
)
_ES_TARGET = (
    "(bebe|hijo|hija|hijos|hijas|nino|nina|ninos|esposo|esposa|marido|pareja|novio|novia|vecino|"
    "vecina|jefe|jefa|ex|alguien|todos|ellos|ella|el|mama|papa|madre|padre|hermano|hermana|"
    "companero|companera|familia|gente|cunado|cunada|suegro|suegra|padrastro|tio|tia|maestro|"
    "ese|esa|ese tipo|esa vieja|personas|otros)"
)

_SUICIDE: list[dict[str, Any]] = [
    {
        "id": "floor.tripwire.suicide.death",
        "level": "concern",
        "subject": "self",
        "note": "a word of dying, death or suicide in a sentence that is not about someone else",
        "patterns": {
            "en": [
                "die|dying|dead|death|deadly|fatal|lethal|suicid*|unaliv*",
                "not (exist|existing|be alive|being alive|be here|being here|be around)",
                "(in the ground|six feet under|in a grave|in my grave|in a coffin|in a casket|"
                "in a body bag|my funeral|my own funeral|my grave)",
                "not ...5 (alive|exist|existing)",
                "(should not|do not deserve to|not supposed to) ...2 (be "
                "alive|be here|exist|live|have been born)",
                "(stop|never|not|no longer|rather not) ...3 (wake|waking|wakes) up?",
                "(not|no longer|never) ...3 (be|being) (here|around) (next|tomorrow|much|"
                "anymore|any more|by|for|after|when|in|to see|soon)",
                "(not|no longer|never) ...3 (be|being) a (problem|burden|bother|worry|pain|"
                "weight) ...3 (much longer|anymore|any more|soon|again|for long|after)",
                "(be|being) (gone|dead) (by|before|soon|tomorrow|next|when)",
                "(not|never|no longer) ...3 (be|being) (anyones|anybodys|your|their|"
                "everyones|my familys|his|her) (problem|burden|bother|worry)",
                "(sleep|rest) (and|forever|and just) (never|not) ...4 (again|anymore|any more|"
                "deal|wake|have to)",
                "(want|wish|need|ready|let) ...4 (go dark|go black|go quiet|fade to black|"
                "lights out|switch off|shut off for good|turn off for good)",
                "(last|final|dying) wish",
                "(lost|losing|no|any) (the)? (will|desire|wish) (to|2) (live|go on|keep going|"
                "be alive|keep living)",
                "(everyone|everybody|they|my family|the kids|the world|things|people|"
                "family) ...3 (better|easier|happier|lighter) (off)? if i",
                "(i|i have|i had|my|last|first|second|third|previous|recent|another) "
                "(attempted|attempt|attempts)",
                "painless",
                "(look|looks|seem|seems|made it look) like (an|a) accident",
                "(fast|high|far|deep|quick|hard) enough ~6 (feel|die|survive|painless|hurt|"
                "instant|instantly|fatal)",
            ],
            "es": [
                "morir|morirme|muero|muera|muerte|muerto|muerta|muriendo|suicid*|matarme",
                "no quiero (amanecer|despertar|despertarme|seguir|vivir|existir|estar aqui|"
                "estar en este mundo|estar viva|estar vivo|estar mas|seguir aqui)",
                "ya no (voy a estar|estare|este|vaya a estar|estar|quiero estar)",
                "(mi vida|la vida|vivir|existir|seguir|todo|nada) ...3 (no tiene|sin|ya no "
                "tiene|no le veo|no le encuentro|no tiene ningun) sentido",
                "(bajo tierra|mi funeral|mi tumba|en un ataud)",
                "(para|hasta|pa) no (despertar|despertarme|volver a despertar|sentir nada|volver)",
                "(suficiente|suficientes|bastante|bastantes) (para|pa) ...2 (no despertar|"
                "morir|matarme|acabar|dormir para siempre)",
                "(todo|esto|la vida|mi vida) (se acabe|se termine|se acaba|se termina|ya "
                "acabe|ya termine|acabe ya|termine ya)",
                "(no tengo|sin|perdi|perdido|perdida|ya no tengo|ni) ...2 ganas de (vivir|"
                "seguir|existir|despertar)",
                "(ojala|quisiera|quiero|deseo|desearia|prefiero|preferiria|pido) ...2 no "
                "(despert*|amanec*|volver a despertar|existir|existiera|haber nacido)",
                "(que|cual es el|para que|no le veo|no le encuentro) sentido (tiene|tiene "
                "ya)? ...2 (todo|nada|vivir|seguir|la vida|mi vida|esto|levantarme|existir)",
            ],
        },
        "exemptions": {
            "en": [
                # grief and other people's deaths
                "(death|deaths|dying|died) of (my|our|his|her|their|a|the) ...2 (mom|mother|dad|"
                "father|parent|parents|brother|sister|son|daughter|child|baby|husband|wife|partner|"
                "friend|grandma|grandmother|grandpa|grandfather|pet|dog|cat|uncle|aunt|cousin|"
                "loved one|family member|relative|fiance|spouse)",
                "(mothers|fathers|moms|dads|parents|brothers|sisters|sons|daughters|childs|babys|"
                "husbands|wifes|partners|friends|grandmas|grandmothers|grandpas|grandfathers|pets|"
                "dogs|cats|uncles|aunts|cousins|spouses|fiances|best friends) death",
                "(grieving|grief|mourning|process|processing|cope with|coping with|deal with|"
                "dealing with|anniversary of|talk about|talking about|since|after) ...3 (death|"
                "loss|deaths)",
                # fear of death is health anxiety, not a wish
                "(afraid|scared|fear|fears|terrified|phobia|anxious|anxiety|worried|worry|"
                "worrying|panic|panicking|obsess|obsessing|obsessed|paranoid|thinking) ...2 (of|"
                "about|that i am|that i will|i am going to|i will|i might) ...2 (dying|death|die|"
                "being dead|a heart attack)",
                "(dying|die|death) ...4 (plane|flying|flight|cancer|illness|disease|covid|"
                "in my sleep|heart attack|young|of old age|alone)",
                "(scared|afraid|terrified) ...3 (to|2) death",
                # work, media, games and things
                "(paramedic|paramedics|nurse|nurses|doctor|emt|hospice|icu|er|funeral home|"
                "coroner|chaplain|vet|veterinarian|firefighter|police|officer|soldier|military|"
                "army|combat|war|book|books|movie|movies|show|series|novel|documentary|podcast|"
                "class|course|paper|essay|research|study|character|characters) ...8 (death|dead|"
                "dying|die|deaths|suicide)",
                "(phone|battery|laptop|computer|car|plant|plants|flowers|garden|conversation|"
                "party|battery|charger|tablet|tv|remote|printer|wifi|internet|engine|the mood) "
                "...3 (dead|died|dying|die|dies)",
                "dead (end|ends|last|battery|phone|week|weight|giveaway|ringer|heat|on|center|"
                "silent|quiet|asleep|zone|beat|beats|line|lines|inside joke|meat|skin|bolt)",
                "(dead|die|dying) (laughing|of laughter)",
                "i am dead (lol|joking)",
                "lol ...2 (dead|dying|die|death)",
                "(dead|dying|die|death) ...2 lol",
                "(die|dies|dying) (hard|down|off|out|away|out of)",
                "(death|dead) (metal|penalty|row|star|stare|grip|trap|wish list|certificate|"
                "notice|toll)",
                "till death do us part",
                "(life and|life or) death",
                "(fatal|lethal) (flaw|error|mistake|attraction|weapon)",
                "(not|never|no longer) ...2 (here|around) (for|on|at|in|during) (the|my|your|this|"
                "that|a) ...2 (appointment|session|meeting|week|weekend|holidays|call|visit|"
                "office|trip|class|intake|interview|time)",
                "(wake|waking) up ...3 (early|on time|in time|at night|at 3|at 4|in the night|"
                "feeling|tired|rested|refreshed|for work|for school)",
                "(can not|could not|hard to|struggle to|trouble|hard time) ...2 (wake|waking) up",
                "(first|before|until|when) i wake up",
                "(dead|die|death|dying) (tired|serious|set|wrong|end|broke|bored|center|even)",
                "to die for",
                "die (hard|trying)",
                "do or die",
                "dying (breed|art|wish)",
                "(stressed|scared|bored|worried|sick|tired|frightened) to death",
                "not ...3 (stop|stopping|cease|quit) (existing|to exist|being alive|living)",
                "(attempt|attempted|attempting|attempts) (to|2|at|a|an|the|was made)",
                "(painless|pain free) (procedure|injection|injections|process|dentist|shots|"
                "removal|waxing|epilation|way to pay|payment|billing|sign up|signup|setup)",
                "(near|close) death experience",
                # the topic, talked about or taught: a bare mention (a concern of its own rule)
                "(talked|talking|talk|learned|learning|read|reading|heard|lesson|lessons|"
                "presentation|assembly|training|lecture|unit|module|week) (about|on) (suicide|"
                "death|dying) ...3 (in|at|for|with|during) (class|school|church|work|group|"
                "health|the|my|our)",
            ],
            "es": [
                "(muerte|murio|muerto|muerta|muriendo|morir) de (mi|su|nuestro|nuestra|un|una|"
                "la|el) ...2 (mama|madre|papa|padre|hermano|hermana|hijo|hija|esposo|esposa|"
                "abuelo|abuela|amigo|amiga|perro|perra|gato|gata|mascota|tio|tia|primo|prima|"
                "pareja|familiar|bebe)",
                "(duelo|luto|perdida|perdi|procesar|superar|hablar de|desde la|desde que) ...3 "
                "(muerte|murio|muerto|muerta)",
                "(miedo|temor|fobia|ansiedad|panico) ...3 (a|de) ...2 (morir|morirme|la muerte)",
                "(celular|telefono|bateria|pila|carro|coche|plantas|planta|computadora|"
                "compu|tele|television|fiesta) ...3 (muerto|muerta|murio|muriendo)",
                "(muerto|muerta|muero|morir|morirme|muriendo) de (la|el)? (risa|ganas|hambre|"
                "sueno|verguenza|calor|frio|cansancio|miedo|aburrimiento|sed|amor|nervios|pena|"
                "envidia|cancer|viejo|vieja|la emocion|emocion|curiosidad|celos|flojera)",
                "ya no (voy a estar|estare|este) (en|con) (la|el|mi|esa|ese) ...2 (oficina|"
                "trabajo|escuela|clase|ciudad|casa|empresa|pais|grupo|equipo|cita)",
                "ya no (estar|este|estare) (triste|enojada|enojado|sola|solo|cansada|cansado|"
                "disponible|en linea)",
                "(enfermera|enfermero|doctor|doctora|medico|paramedico|hospital|funeraria|"
                "pelicula|libro|serie|novela|clase|curso) ...8 (muerte|muertos|muerto|morir)",
                "hasta que la muerte",
                "(morir|morirse|morira|se va a morir) (el|la|mi|su) (celular|bateria|pila|"
                "telefono|carro|coche|planta|plantas|compu|computadora|tele)",
                "(esta|estuvo|estan|es|susto|aburrida|aburrido|cansada|cansado) de muerte",
                "(frio|calor|hambre|sueno|cansancio|ganas|risa|aburrimiento|nervios|sed|"
                "verguenza) que me muero",
                "(muriendo|murio|muerto|muerta|muere) (la|el|mi|su) (bateria|pila|celular|"
                "telefono|carro|coche|planta|plantas|compu|computadora|tele|fiesta)",
            ],
        },
        "examples": {
            "en": ["death sounds peaceful right now", "I shouldn't be alive"],
            "es": ["pienso en la muerte todo el tiempo"],
        },
    },
    {
        "id": "floor.tripwire.suicide.leaving",
        "level": "concern",
        "subject": "self",
        "note": "ending, leaving, last times and goodbyes, said of oneself",
        "patterns": {
            "en": [
                "(end|ending) (it|it all|this|things|everything|myself|all of this|all this)",
                "(this is|it is|that is|here is) (the|my) end",
                "the end (for|of) me",
                "(my|an|the) (exit|way out|escape) (plan|strategy|now|tonight|soon)?",
                "(planning|plan|planned|plotting|picked|chose|chosen|set|decided on) (my|the|"
                "a) (exit|way out|day|date|time|place|method|way)",
                "(i|me|myself) ...4 (disappear|disappearing|vanish|vanishing|fade away|fading "
                "away|fade out|fading)",
                "(gone|go away|going away|leave|leaving|leave this|go) (forever|for good|"
                "permanently|and never come back|and not come back)",
                "(i am|im) ready to go",
                "made (my|our) peace",
                "at peace (when|once|if) i",
                "(last|final) (time|day|days|message|messages|words|goodbye|hours|breath|"
                "letter|post|chance|text)",
                "(is|be|my) (my|the)? (last|final) (night|week)",
                "(last|final) night (alive|on earth|here|of my life)",
                "(already|basically|practically|might as well be) (gone|dead|a ghost)",
                "(like|feel like|feeling like) a ghost",
                "goodbye|goodbyes|farewell|farewells",
                "(wrote|written|writing|write|left|leave|leaving|finished|sealed|recorded|"
                "made) ...4 (letter|letters|note|notes|video|videos|messages|message) ...3 "
                "(to|for) ...2 (my|everyone|everybody|each|the kids|the family|mom|dad|you all|"
                "them|the people|when)",
                "(way|ways) to (go|die|end it|do it) (that|which) (do|does|will|would) not "
                "(hurt|hurts|take long|leave a mess)",
                "(way|ways) to (go|die|end it|do it) (without|with no|with little) (pain|"
                "hurting|suffering|anyone noticing)",
                "(soon|tonight|today) (it|this|everything) ...2 (be|is) (all)? over",
                "(it|this|everything) ...2 (be|is) (all)? over (soon|tonight|for me|for good|"
                "forever)",
                "(note|letter|letters|notes) ...4 (on|under) (my|the) (pillow|bed|nightstand)",
                "(finally|tonight|today|this time|for real) ...4 (do it|go through with it|"
                "doing it)",
                "(do it|go through with it|doing it) (tonight|this time|for real|finally|"
                "soon|this weekend)",
                "(can not|could not|will not|not) ...3 (promise|sure|guarantee|keep myself) "
                "...4 safe",
                "(not|never|no longer) ...2 (feel|be|stay|being|am|feeling)? safe (tonight|"
                "with myself|around myself|alone|from myself|by myself|anymore|right now|"
                "today|at all|here)",
                "(tonights|tonight is|tonight will be|this is|today is|todays) the (night|"
                "day) (i|it|to)?",
                "(peaceful|peace|relief|rest|quiet|escape) ...3 (to|2) (finally)? (not|never) "
                "(wake|exist|be here|feel)",
                "(my|our) affairs",
                "(put|putting|get|getting|got) (my|everything) "
                "(affairs|things) (together|settled|sorted|straight|arranged)",
                "(thanks|thank you) for (trying|everything you tried|putting up with me)",
                "sorry for (being|everything|all the trouble|all of this|what i am about)",
            ],
            "es": [
                "(adios|despedida|despedidas|despedirme|me despido|me despedi|despidiendome)",
                "(ultimo|ultima) (dia|noche|vez|mensaje|adios|carta|semana|palabras)",
                "(escribi|escribiendo|deje|dejando|termine|grabe|tengo) ...3 (cartas|carta|"
                "notas|nota|mensajes|video)",
                "(cartas|carta|notas|nota|mensajes|video) (para|a) (mis|mi|todos|ustedes|cada)",
                "(me voy|irme|me ire|me quiero ir|me vaya|nos vemos) ...3 (para siempre|de "
                "este mundo|de aqui para siempre|y no vuelvo|y ya no)",
                "(decision|decidi|decidido|decidida|lista|listo|hora|momento) (de|para)? irme",
                "(este|de este|del) mundo",
                "(desaparecer|desaparezco|desaparecere|desaparecerme|esfumarme)",
                "(hoy|esta noche|manana|por fin|ya) ...4 (lo hago|lo voy a hacer|me voy|"
                "termino|acabo)",
                "no (puedo prometer|prometo|se si voy a) ...3 (segura|seguro|bien|aqui)",
            ],
        },
        "exemptions": {
            "en": [
                "end (this|it|things) (with|on|early|off|there|here)",
                "end (this|the) (session|call|chat|conversation|meeting|relationship|lease|"
                "contract|month|week|year|semester|subscription|cycle|pattern|habit)",
                "(exit|way out) (of|from) (the|my|this|a|our) (job|company|work|role|"
                "position|lease|marriage|relationship|program|building|parking|highway|"
                "contract|situation|debt|class)",
                "(exit|escape) (room|rooms|interview|survey|key|button|plan for retirement)",
                "(pick|picked|chose|chosen|set|decided on) (the|a) (day|date|time|place) "
                "(for|of|to) (the|my|our|a|an) ...2 (appointment|session|wedding|party|move|"
                "trip|surgery|meeting|interview|call|visit|intake|vacation)",
                "(the|a) (day|date|time) (for|of) (the|my|our|an|a)",
                "the day (i|we) (start|started|begin|began|move|moved|graduate|graduated|"
                "leave for|get|got|meet|met)",
                "(today|todays|today is) the day (of|for|i start|we start|of my)",
                "ready to go (to|for|back|home|out|in|ahead|on|with|through|over|forward|"
                "get|shopping|see|start|talk|meet)",
                "(last|final) (time|day|days|night|week) (i|we|you|he|she|they) (saw|went|"
                "had|was|were|tried|did|talked|spoke|checked|visited|met|got|came|felt|slept|"
                "ate|used|drank|had|heard)",
                "(last|final) (day|days|time|week|night) (at|of|in|on|before) (work|my job|"
                "the job|school|college|class|vacation|the office|the program|the month|the "
                "year|the semester|term|camp)",
                "(last|final) (exam|exams|round|boss|episode|season|project|paper|chapter|"
                "message you sent|text you sent|appointment|session|payment|bill|call)",
                "(last|final) (time|day) (to|for) (sign up|register|apply|pay|cancel|submit|"
                "book|enroll)",
                "(the|my|our) last (time|night|day) (was|we|i)",
                "goodbye (party|lunch|dinner|card|gift|drinks|email|speech|present|cake|hug|"
                "kiss|note|letter|message) (for|to) (my|the|our|a) ...2 (coworker|coworkers|"
                "team|boss|class|teacher|friend|neighbor|neighbors|colleague|colleagues|"
                "job|old job|students|school|company)",
                "goodbye (party|lunch|dinner|card|gift|drinks|speech|present|cake|hug|kiss)",
                "(say|said|saying|says) goodbye to (my|the|our|a|his|her) ...2 (job|house|"
                "apartment|home|city|town|office|coworkers|team|class|school|car|dog|cat|pet|"
                "grandma|grandpa|grandmother|grandfather|old life|childhood home|hometown|"
                "friends before|kids at|daughter at|son at|students)",
                "(goodbye|farewell) ...3 (tour|season|concert|show|episode|ceremony)",
                "(kiss|kissed|hug|hugged|wave|waved) ...2 goodbye",
                "(thanks|thank you) for (trying|everything you tried) (to|2) (help|book|find|"
                "fix|schedule|reach)",
                "sorry for (being|everything) (late|so late|rude|short|long|a pain|confusing|"
                "slow|the delay|all the questions|the questions|asking|repeating)",
                "(wrote|written|writing|write|left|leave|leaving|finished|recorded|made) ...4 "
                "(letter|letters|note|notes|video|messages|message) ...3 (to|for) ...2 (my|the|"
                "our) ...2 (job|boss|employer|landlord|insurance|school|teacher|coworkers|team|"
                "old job|doctor|therapist|lawyer|court|judge|hr|company|congressman|senator|"
                "newspaper|editor)",
                "(letter|note) (for|to) my (employer|job|boss|school|insurance|landlord|"
                "doctor|lawyer|hr)",
                "(do|doing) it (online|tonight|today) ...3 (form|forms|paperwork|homework|"
                "application|laundry|taxes|assignment|intake)",
                "(form|forms|paperwork|homework|application|laundry|taxes|assignment|intake|"
                "the dishes|workout|exercise|meditation|journaling) ...6 (do it|doing it|go "
                "through with it) (tonight|this time|for real|finally|soon)",
                "safe (to take|to drive|to go|with my data|online|sharing|giving|telling|"
                "with my information|with my info|space|word|place to talk|to talk)",
                "(feel|feeling) safe (sharing|talking|telling|giving|with you|with my data|"
                "with my information|with this)",
                "disappear ...3 (vacation|week|weekend|trip|holiday|hawaii|beach|cabin|"
                "a while|a few days|for a bit|for the day|from social media|from instagram|"
                "online|offline)",
                "(symptoms|pain|anxiety|rash|acne|headache|headaches|feelings|motivation|"
                "money|keys|phone|wallet|package|appetite|energy|friends|signal|cat|dog) "
                "...3 (disappear|disappeared|disappearing|vanish|vanished)",
                "(leave|leaving|go|gone|going away) (forever|for good|permanently) ...3 (job|"
                "company|town|city|state|country|relationship|marriage|church|school|house|"
                "apartment|abroad|overseas|europe|college)",
                "(job|company|town|city|state|country|relationship|marriage|church|school|"
                "house|apartment|home|abroad|overseas|europe|college|him|her|them|husband|"
                "wife|boyfriend|girlfriend|partner) ...4 (forever|for good|permanently)",
            ],
            "es": [
                "(ultimo|ultima) (dia|semana|vez) (de|en) (trabajo|clases|escuela|la "
                "escuela|el trabajo|la oficina|vacaciones|la universidad|la prepa)",
                "(ultima|ultimo) vez que (fui|vi|estuve|tuve|hable|fuimos|lo vi|la vi|me vio|"
                "vine|tome|comi|dormi|sali)",
                "(ultimo|ultima) (mensaje|carta|cita|sesion|pago|examen|capitulo|episodio|"
                "temporada) (que|de|del|para)",
                "(fiesta|comida|cena|regalo|tarjeta) de despedida",
                "(amenazo|amenaza|amenazaron|amenazan|van a|va a|quieren|quiere|pueden|puede|"
                "podrian|me van a|me quieren|con) despedirme",
                "despedida (de soltera|de soltero|del trabajo|de mi companero|de mi "
                "companera|de la escuela)",
                "(carta|cartas|nota|notas|mensaje|mensajes) (para|a) (mi|el|la) (trabajo|jefe|"
                "jefa|escuela|maestro|maestra|seguro|doctor|doctora|abogado|casero|empresa)",
                "(este|de este|del) mundo (de|del) (los|las|la|el)",
                "(el|al|del|en el|en este|todo el|medio|tercer|otro|nuevo|mejor|peor|alrededor "
                "del|por todo el) mundo (de|del|entero|laboral|real|digital|es|esta)",
                "desaparecer ...3 (vacaciones|semana|fin de semana|viaje|playa|redes|un rato|"
                "unos dias)",
                "(dolor|sintomas|ansiedad|dinero|llaves|celular|cartera|paquete|ganas|"
                "motivacion|hambre) ...3 (desaparecer|desaparecio|desaparece|desaparecen)",
                "(irme|me voy) (a|al|a la|de vacaciones|con|en|para|de viaje) ...2 (casa|"
                "trabajo|escuela|cita|mexico|otra ciudad|otro pais|otro estado|vacaciones)",
                "(hoy|manana|ya|por fin) ...4 (lo hago|me voy) (a|al|de|con|para) ...2 (la|el|"
                "mi|casa|trabajo|tienda|cita|escuela)",
            ],
        },
        "examples": {
            "en": ["goodbye everyone, thanks for trying", "planning my exit"],
            "es": ["hoy es el último día que me van a ver"],
        },
    },
    {
        "id": "floor.tripwire.suicide.method",
        "level": "concern",
        "subject": "self",
        "note": "a method (pills in number, rope, a height, a gun, a blade) near oneself",
        "patterns": {
            "en": [
                f"(take|taking|swallow|swallowing|down|chug|eat|took|swallowed) (every|all "
                f"the|all of the|the whole|the entire|all of my|all my|every last|the rest of) "
                f"...2 {_EN_PILLS}",
                f"(every|whole|entire|bunch of|handful of|bottle of|box of|pack of|stash of|"
                f"enough|rest of my|rest of the) {_EN_PILLS}",
                f"{_EN_PILLS} ...3 (at once|all at once|in one go|together|with vodka|with "
                f"alcohol|with wine|with beer)",
                f"(how many|how much|what happens if|what would happen if|is it possible to) "
                f"...6 {_EN_PILLS}",
                f"(looking|staring|stare|look|looked|stared) at ...4 {_EN_PILLS}",
                f"(holding|counting|counted|count|lined up|line up|pour|poured|dumped|spread "
                f"out|hiding|hid|hidden|stashing|saving|saved|collecting|hoarding) ...3 "
                f"{_EN_PILLS}",
                f"{_EN_PILLS} ...3 (in my hand|in my hands|in front of me|next to me|on the "
                "table|on my bed|on the counter|in my pocket|on my desk|on my lap)",
                "rope|ropes|noose|nooses",
                "(tied|tie|tying|hung|hang|hanging|wrapped|wrap|wrapping|knot|knotted) ...4 "
                "(belt|cord|rope|sheet|sheets|bedsheet|scarf|cable|extension cord|leash|"
                "necktie|tie|wire|chain) ...4 (to|around|from|over|on) ...3 (rod|beam|rail|"
                "railing|door|doorknob|hook|fan|ceiling fan|pipe|neck|tree|banister|closet|"
                "rafter|rafters|branch|bunk bed|shower|bar)",
                "(hold|holds|support|supports|take|takes|carry) my weight",
                "(hang|hanging|hanged) ...3 (rope|belt|noose|cord|beam|rafter|closet|tree|"
                "neck|garage|basement|attic|shower|myself|from)",
                f"(standing|sitting|stood|sat|sit|stand|walked|walk|walking|drove|driving|"
                f"went|go|going|parked|climbed|climbing|climb|leaning|lean|looking down|"
                f"looked down|staring down|hanging off|dangling) ...4 {_EN_PLACE}",
                f"{_EN_PLACE} ...4 (thinking about|thinking|think about|staring down|looking "
                f"down|for an hour|for hours|right now|tonight|alone)",
                f"{_EN_PLACE} ...6 (i|and i) (keep|kept) (going|driving|walking|coming|"
                "visiting|looking|thinking|staring)",
                f"(keep|kept) (going|driving|walking|coming back|visiting) (to|past|by|back "
                f"to|over) ...3 {_EN_PLACE}",
                f"(drive|driving|drove|jump|jumping|jumped|step|stepping|walk|walking|fall|"
                f"falling|throw myself|leap|leaping|swerve|swerving|crash|crashing) (off|from|"
                f"over|into|onto|in front of) (the|a|that|this)? {_EN_PLACE}",
                "(drive|drove|driving|crash|crashed|crashing|swerve|swerved|swerving|wreck|"
                "wrecked|steer|steered|ram|rammed) (into|off|in front of) (a|the|that)? "
                "(tree|wall|pole|truck|semi|bridge|guardrail|river|lake|oncoming|traffic|"
                "barrier|ditch|overpass|train|ocean|cliff)",
                f"how (high|tall|far down|far|steep|deep|long) ...6 ({_EN_PLACE[1:-1]}|fall|"
                "drop|floor|story|stories|floors|to fall|to bleed out|to drown)",
                "(high|tall|far|fast) enough ...3 (to|2) (die|kill|be fatal|not survive|survive)",
                "(going to|gonna|want to|wanna|about to|ready to|could just|might|will|"
                "should just|tempted to|urge to|i could|thinking of|think of|i am going to) "
                "(jump|leap|step off|let myself fall|fall|drive off|drive into|swerve|crash)",
                f"(i|me|my|myself) ~8 {_EN_GUN}",
                f"(i|me|my|myself) ~6 {_EN_BLADE}",
                f"(the|a) {_EN_GUN} (is|was) (loaded|in my|right here|next to me|on my|under "
                "my|in the drawer|in the car|in my car|in my hand)",
                f"(the|a) {_EN_BLADE} (is|was) (right here|next to me|in my|on my|under my|"
                "in the drawer|in my hand)",
                "(bleed|bleeding|bled) out",
                "(garage|closed garage) ...6 (engine|car|motor) (on|running|idling|going)",
                "(engine|car|motor) (on|running|idling|going) ...6 garage",
                f"(plan|plans|planning|planned|method|way) ~6 ({_EN_PILLS[1:-1]}|rope|gun|"
                "bridge|bathtub|tub|knife|blade|razor|jump|jumping|car|garage|overdose|"
                f"hanging|drown|drowning|drive off|drive into|{_EN_PLACE[1:-1]})",
                "(days|weeks|months|day|week|month) clean ...3 (ruined|gone|broke|over|lost|"
                "again|reset|down the drain)",
                "(broke|ruined|lost|reset|ended) my (streak|clean streak)",
                "(carbon monoxide|exhaust|engine running|tailpipe|charcoal|helium|gas oven|"
                "oven gas|bleach|antifreeze|rat poison|poison)",
                "(walk|walking|drive|driving|swim|swimming|wade|wading|step|stepping) (into|"
                "out into|out in) (the|a)? (ocean|lake|river|sea|traffic|water|woods|snow|"
                "cold)",
                "(hit|hitting|struck) by (a|the) (car|truck|bus|train|semi)",
                "(accident|crash|wreck) ...4 (fatal|on purpose|so i|and not|and never|and "
                "die|would end)",
                "(fatal|deadly) (accident|crash|wreck|fall|dose)",
                "(cut|cutting|cuts|burn|burning|burned|burnt|scratch|scratching|scratched|"
                "carve|carving|carved|hit|hitting|hurt|hurting|punch|punching|punched|bang|"
                "banging|banged|bite|biting|bit|pick|picking|pull|pulling|pulled|starve|"
                "starving|starved|bruise|bruising|bruised) ~6 (on purpose|purposely|"
                "intentionally|deliberately|to feel something|to punish myself|as "
                "punishment|to feel better|to cope|to feel pain|until it bleeds|until i "
                "bleed|till it bleeds|till i bleed|to make it stop|to numb)",
                "(cut|cutting|cuts|cutter|burn|burning|burns|scratch|scratching|carve|"
                "carving|scar|scars|scarring|fresh cuts|new cuts|self harm|sh|relapse|"
                "relapsed|relapsing|urge|urges|blood|bleed|bleeding) ~6 (again|deeper|deep|"
                "worse|more|fresh|new|hide|hiding|long sleeves|sleeves|bandage|bandages|"
                "clean|clean for|days clean|streak|stop|can not stop|back)",
                "(i|me|my|myself) ...3 (scars|scar|cuts|fresh cuts|burns|wounds)",
                "(relapse|relapsed|relapsing)",
                "(urge|urges|craving|cravings|itch) ...3 (to|2)? ...2 (cut|burn|hurt|hit|die|"
                "jump|overdose|od|harm|scratch|bleed|kill|disappear|end|crash|swallow|hang)",
                "(the|my|these|those) urges (are|is|have|keep|came|come|got|get)",
                "(head|fists|fist|hand|hands|arm|arms) ...3 (against|into|through) (the|a)? "
                "(wall|walls|door|mirror|floor|window)",
            ],
            "es": [
                "(tomar|tomarme|tragar|tragarme|me tomo|me tome|me voy a tomar|me trago|"
                "me trague) (todo|toda|todas|todos|el frasco|la caja|el bote|un frasco|un "
                "bote|una caja|muchas|muchisimas|un monton|un punado|un puno|el resto)",
                "(todo el|toda la|todas las|todos los|un frasco de|un bote de|una caja de|el "
                "frasco de|el bote de|la caja de|un monton de|un punado de) ...2 (frasco|bote|"
                "caja|pastillas|pildoras|medicinas|medicamentos|tira|blister|tabletas|"
                "capsulas|tylenol|paracetamol|ibuprofeno|clonazepam|alprazolam)",
                "(cuantas|cuantos|cuanto|que pasa si) ...5 (pastilla*|pildora*|tableta*|"
                "tylenol*|paracetamol*|medicina*|capsula*|ibuprofeno*|clonazepam*)",
                "(cuantas|cuantos|cuanto) ...4 (hacen falta|se necesitan|necesito|para morir|"
                "para no despertar|son letales|son mortales|matan|es letal)",
                "(cuerda|soga|lazo|mecate|cinturon|cable) ...5 (cuello|viga|closet|armario|"
                "ropero|techo|arbol|gancho|barandal|puerta|lista|listo|preparada|preparado|"
                "colgada|colgado|amarrada|amarre)",
                "(colgarme|colgandome|me cuelgo|me colgue|ahorcarme|ahorcandome)",
                "(puente|azotea|techo|edificio|balcon|cornisa|barranco|acantilado|precipicio|"
                "vias|metro|tren|ventana|piso 10|ultimo piso) ...4 (pensando|brincar|saltar|"
                "tirarme|aventarme|lanzarme|asomada|asomado|parada|parado|sentada|sentado|"
                "sola|solo|ahorita|ahora)",
                "(tirarme|aventarme|lanzarme|arrojarme|dejarme caer)",
                "(brincar|saltar) (de|del|desde|por|al vacio)",
                "(subi|me subi|estoy|estoy sentada|estoy sentado|estoy parada|estoy parado|"
                "ando|me sente|me pare|voy) (al|en el|en la|a la|arriba del|en lo alto del|"
                "encima del|en) ...2 (techo|azotea|puente|barandal|cornisa|edificio|"
                "acantilado|barranco|precipicio|vias|balcon)",
                "no (se si|quiero) (bajar|bajarme|regresar)",
                "(pistola|arma|revolver|rifle|escopeta|balas|navaja|cuchilla|cuchillas|"
                "navajas|vidrio) ...4 (mano|manos|conmigo|cargada|cargado|aqui|cabeza|boca|"
                "munecas|brazo|brazos|sien|pecho)",
                "(tengo|traigo|agarre|agarro|sostengo|guarde|escondi|compre|consegui) ...3 "
                "(pistola|arma|revolver|rifle|escopeta|balas|navaja|cuchilla|cuchillas|"
                "navajas|veneno|raticida)",
                "(cortarme|cortandome|me corto|me corte|cortadas|cortaditas|quemarme|"
                "quemandome|me quemo|me queme|rasgunarme|golpearme|pegarme|lastimarme|"
                "sangrar|cicatrices|recaida|recai|recaer)",
                "(a proposito|adrede|intencionalmente|para sentir algo|para castigarme|como "
                "castigo|hasta sangrar) ~6 (chocar|estrellar|estrellarme|cortar|cortarme|"
                "quemar|quemarme|lastimar|lastimarme|pegar|pegarme|golpear|golpearme|tomar|"
                "tirarme|aventarme|rasgunar|morder|morderme)",
                "(quiero|quisiera|voy a|pienso|ganas de) (chocar|estrellar|estrellarme|"
                "voltear) ...3 (carro|coche|camioneta|moto)",
                "me (atropelle|atropella|atropellen|arrolle|arrolla|arrollen|mate un|maten)",
                "(ganas|impulsos|impulso|antojo) (de|por) ...2 (cortarme|cortar|quemarme|"
                "lastimarme|morir|desaparecer|tirarme|saltar|tomarme|hacerme dano)",
            ],
        },
        "exemptions": {
            "en": [
                f"{_EN_PILLS} (every|each) (morning|night|day|evening|week)",
                f"{_EN_PILLS} (as prescribed|on time|with food|like i am supposed to|like "
                f"my doctor said|correctly|regularly)",
                f"(take|taking|took) (all|every|all of) (my|the)? {_EN_PILLS} (every|each|as|"
                "on time|in the morning|at night|like|correctly|regularly|with)",
                f"(how many|how much) ...3 {_EN_PILLS} (should i|can i|do i|am i supposed|"
                "is normal|is safe|is too much|per day|a day|each day|to take)",
                "(end of my|learn the|learning the|know the|show me the|on the) (rope|ropes)",
                "rope (swing|bridge|light|lights|toy|course|ladder|access|climbing)",
                "(jump|skipping|climbing|tow|tug of war|dog|swing|gym|boat|sailing|battle|"
                "crossfit|agility|tight|tightrope) (rope|ropes)",
                "ropes course",
                "jump rope|ropes",
                "(hang|hanging|hanged) (out|up|on|around|with|pictures|picture|clothes|"
                "laundry|coats|coat|art|decorations|lights|curtains|shelves|in there|loose|"
                "tough|tight|a left|a right)",
                "(bridge|bridges) (club|game|games|tournament|night|lesson|lessons|party|"
                "group|toll|tolls|traffic|street|st|road|rd|loan|financing|school|course|"
                "job|program|engineer|city|card|cards|camera|piercing|work|player|players)",
                "golden gate",
                "edge of (my|the) seat",
                "(on|to) the edge of (tears|town|sleep|a breakdown|panic|my patience)",
                "cutting edge",
                "take the edge off",
                "(on|over) the edge (of|with) (anxiety|stress|nerves)",
                "roof (repair|repairs|leak|leaks|leaking|over my head|replaced|replacement|"
                "work|rack|top bar|garden|deck)",
                "a roof over",
                "(hit|hits|through) the roof",
                "raise the roof",
                "(under|same|one) roof",
                "(window|windows) (seat|shopping|shades|blinds|cleaning|washing|of time|"
                "open|closed|view)",
                "(building|buildings) (confidence|trust|skills|a relationship|my|a career|"
                "muscle|blocks|manager|code|codes|department)",
                "(tracks|track) (my|his|her|our|the) (progress|sleep|steps|mood|habits|"
                "periods|spending|hours|package|order)",
                "(platform|platforms) (shoes|bed|beds|for|to|where)",
                "(highway|freeway) (exit|traffic|patrol|commute)",
                "(jump|jumping|leap|leaping) (back|into|in|on|at|through|to conclusions|"
                "start|ship|the gun|around|between|up|for joy|on board|in the pool|in the "
                "lake|off the dock|on a call|on the call|on zoom|out of a plane|out of "
                "airplanes|at the chance|the line|ahead|over|rope|for|higher)",
                "(fall|falling) (asleep|behind|apart|in love|for|back|into|short|off the "
                "wagon|ill|sick|through|out|down the stairs|on the ice)",
                "(crash|crashing) (at|on|with|course|diet|diets|the party|into bed|and burn)",
                "swerve|swerved|swerving ...4 (deer|dog|cat|animal|pothole|car|truck|bike|cyclist)",
                f"{_EN_GUN} ...4 (hunting|hunter|range|shooting range|gun safe|safe|locked|"
                "lock box|lockbox|lock|permit|license|licence|class|course|collection|show|"
                "shows|control|violence|rights|owner|owners|laws|law|safety|store|shop|"
                "club|league|cleaning kit|policy|debate|registration)",
                f"(hunting|hunter|hunters|range|shooting range|gun safe|safe|locked|lock box|"
                f"lockbox|permit|license|licence|class|course|collection|show|control|"
                f"violence|rights|owner|owners|laws|law|safety|store|shop|club|league|toy|"
                f"nerf|water|glue|nail|staple|heat|squirt|paintball|airsoft|laser|bb|cap|"
                f"spray|paint|massage|starting|radar|speed|hot glue|caulk|caulking|grease|"
                f"foam|bubble|top|smoking|son of a) ...4 {_EN_GUN}",
                f"{_EN_GUN} (to my|to our|to their|to his|to her)? (head|heads)? (shy|show|"
                f"emoji|owner|safety|violence|control|laws|law|rights)",
                "(bite|biting|bit|bullet|bullets) the bullet",
                "(bullet|bullets) (point|points|list|journal|journaling|train|proof)",
                f"{_EN_BLADE} ...4 (set|sets|skills|block|sharpener|sharpening|drawer|"
                "kitchen|cooking|cook|chop|chopping|slice|slicing|cut onions|onions|"
                "vegetables|veggies|meat|bread|steak|butter|fork|spoon|shaving|shave|razor "
                "burn|bumps|for shaving|beard|legs|crafts|craft|sewing|hair|haircut|"
                "barber|paper|coupons|gift)",
                f"(kitchen|cooking|chef|steak|butter|bread|paring|pocket|swiss army|utility|"
                f"hunting|fishing|sharp|new|sewing|craft|hair|safety|electric|disposable|"
                f"straight|safety|kitchen) {_EN_BLADE}",
                f"(shave|shaving|shaved|cook|cooking|chop|chopping|slice|slicing|cut|cutting|"
                f"sharpen|sharpening|bought|buy|buying|sell|selling|collect|collecting) ...4 "
                f"{_EN_BLADE} ...4 (onions|vegetables|veggies|meat|bread|steak|kitchen|"
                f"legs|beard|face|hair|paper|fabric|set|sets|apartment|house|gift|coupons)",
                "(cut|cutting|cuts) (back|down|out|off|ties|corners|in line|class|classes|"
                "carbs|sugar|caffeine|coffee|alcohol|drinking|costs|hours|my hair|your "
                "hair|his hair|her hair|it close|a deal|the cord|loose|through|it out|"
                "the grass|the lawn|onions|vegetables|wood|paper|coupons|the cake|the "
                "line|school|work|to the chase|expenses|spending|my losses|people off|him "
                "off|her off|them off|me off|contact)",
                "(hair|haircut|grass|lawn|budget|paper|wood|fabric|pay|salary|hours|"
                "benefits|funding|ties|onions|cake|line) ...2 (cut|cuts|cutting)",
                "(burn|burned|burnt|burning|burns) (out|outs|calories|fat|the toast|toast|"
                "dinner|the food|food|rice|the rice|cookies|candles|a candle|incense|sage|"
                "bridges|the midnight oil|energy|money|through|cds|a cd|a bridge|down the "
                "house in|my tongue|my mouth|my hand on|my finger on|myself on|my arm on|"
                "rubber|gas|fuel|wood|leaves|trash)",
                "(sun|razor|rug|freezer|acid|carpet) (burn|burns|burned|burnt)",
                "(burn|burned|burnt|burning) out",
                "(oven|stove|iron|pan|grill|kettle|coffee|tea|curling iron|hair "
                "straightener|cooking|baking|candle|campfire|fire pit) ...4 (burn|burned|burnt|"
                "burning|burns)",
                "(burn|burned|burnt|burning|burns|cut|cuts|scratch|scratched|bruise|bruised) "
                "...4 (oven|stove|iron|pan|grill|kettle|coffee|tea|curling iron|hair "
                "straightener|cooking|baking|candle|campfire|by accident|accidentally|at "
                "work|at the gym|playing|on a|on the|while)",
                "(scars|scar|scarring) ...4 (surgery|surgical|c section|acne|accident|burn|"
                "chickenpox|chicken pox|emotional|childhood|the past|my past|divorce|"
                "from my|stretch marks|tattoo|piercing|heal|healing|healed|old)",
                "(surgery|surgical|c section|acne|accident|chickenpox|chicken pox|"
                "emotional|childhood|old|stretch marks|tattoo|piercing|emotionally) ...4 "
                "(scars|scar|scarring|scarred)",
                "(relapse|relapsed|relapsing|relapses|craving|cravings|urge|urges|itch) ...6 "
                "(smoking|smoke|cigarettes|cigarette|nicotine|vaping|vape|drinking|drink|"
                "drinks|alcohol|beer|wine|booze|gambling|gamble|eating|binge|bingeing|"
                "binging|food|sugar|sweets|junk food|shopping|spending|weed|marijuana|pot|"
                "porn|diet|sleep|pee|snack|scream|cry|crying|text|call|check|quit|run|"
                "procrastinate|procrastinating|scroll|scrolling|social media|my phone|"
                "cocaine|coke|meth|heroin|opioids|pills|gaming|video games|nail biting|"
                "picking|skin picking|cancer|lyme|ms|symptoms|depression|anxiety|"
                "bulimia|anorexia|eating disorder|purge|purging|my ex)",
                "(smoking|smoke|cigarettes|cigarette|nicotine|vaping|vape|drinking|alcohol|"
                "beer|wine|gambling|eating|binge|bingeing|binging|food|sugar|shopping|"
                "spending|weed|marijuana|porn|diet|cocaine|meth|heroin|opioids|gaming|"
                "cancer|lyme|ms|symptoms|depression|anxiety|bulimia|anorexia|eating disorder|"
                "purge|purging|sober|sobriety|recovery|aa|na|rehab) ...6 (relapse|relapsed|"
                "relapsing|relapses|craving|cravings|urge|urges)",
                "blood (test|tests|work|pressure|sugar|type|drive|donation|bank|draw|panel|"
                "count|counts|orange|oranges|moon|brother|brothers|sister|sisters|relative|"
                "relatives|related|line|lines|bath|thinner|thinners|clot|clots|flow|vessel|"
                "vessels|cells|levels)",
                "(draw|drew|drawn|drawing|donate|donated|donating|give|giving|gave|bad|"
                "first|low|high|in my|in our|runs in my|check my|checking my|my) blood",
                "(gums|gum|nose|nosebleed|nosebleeds|period|paper cut|hemorrhoids|lip|lips|"
                "cuticle|cuticles) ...3 (bleed|bleeding|bled|blood)",
                "(bleed|bleeding|bled|blood) ...3 (gums|from my gums|nose|period)",
                "(head|heads|fist|fists|hand|hands) ...3 (against|into|through) (the|a)? "
                "(wall|walls|door|window|mirror) ...3 (of|at|in) (bureaucracy|the system|"
                "insurance|work)",
                "(bang|banging|beat|beating|hit|hitting) (my|our) heads? (against|on) (the|"
                "a) wall (trying|with|over|about)",
                "(bang|banging|banged|hit|hitting|bumped|bump|bumping) my (head|knee|elbow|"
                "toe|shin|arm|hand) (on|in) (the|a|my) ...2 (cupboard|cabinet|door|car|table|"
                "shelf|desk|counter|bed|ceiling|dresser|window|frame|bunk)",
                "(pick|picking|pull|pulling|pulled|picked) (up|out|him|her|them|the kids|my "
                "kids|a|an|the|some|it|one|apart|through|off|on|over|at)",
                "(starve|starving|starved) (for|to death lol|lol)",
                "i am starving",
                "(hurt|hurting|hurts) (my back|my knee|my feelings|his feelings|her feelings|"
                "their feelings|my pride|my shoulder|my ankle|my wrist|my neck)",
                "(hurt|hurting|hurts) ...3 (lifting|running|playing|at the gym|at work|"
                "skiing|falling|by accident|accidentally|in a game|exercising)",
                "(poison|poisoning) (ivy|oak|control|center)",
                "food poisoning",
                "(lead|mercury|alcohol|carbon monoxide) (poisoning|detector|detectors|alarm)",
                "(carbon monoxide|smoke) (detector|detectors|alarm|alarms)",
                "(bleach|antifreeze) ...3 (laundry|clean|cleaning|the bathroom|the car|my "
                "hair|the floors|the counter|whites)",
                "(laundry|clean|cleaning|the bathroom|my hair) ...3 bleach",
                "exhaust (fan|fans|system|pipe|leak)",
                "(hold|holds) my weight (down|off)",
                "(drive|driving) into (town|work|the city|downtown|the office|the parking|"
                "the driveway|the garage at home|my driveway)",
                "(walk|walking) into (the|a) (office|room|session|building|store|party|"
                "class|meeting|house)",
                "(hit|struck) by (a|the) car ...6 (years ago|as a kid|when i was|last year|"
                "months ago|long ago)",
                "(dog|cat|pet|deer|animal|puppy|kitten|horse|bird|squirrel|raccoon) ...3 (hit|"
                "struck) by",
                "car (accident|crash|wreck) ...6 (years ago|last year|months ago|as a kid|"
                "when i was|in 19|in 20|nightmares|ptsd|trauma|flashbacks|anxiety|since)",
            ],
            "es": [
                "(me tomo|tomo|tomar|me tome) (mis|la|las|su|sus) (pastilla|pastillas|"
                "medicinas|medicamentos) (para|de|del|en|todos|todas|cada|como)",
                "(pastilla|pastillas|medicinas|medicamentos) (para|de) (la|el|mi|dormir)",
                "(cuerda|soga|lazo|mecate) (para|de) (escalar|acampar|tender|saltar|el perro|"
                "la ropa|el barco|columpio|la hamaca|brincar)",
                "(brincar|saltar) (la cuerda|de alegria|de gusto|en la cama|al agua|a la "
                "alberca|a la piscina|en paracaidas|en el trampolin)",
                "(cuchillo|cuchillos|navaja|navajas|cuchilla|cuchillas) ...4 (cocina|cocinar|"
                "cebolla|verdura|verduras|carne|pan|rasurar|afeitar|rasurarme|afeitarme|"
                "piernas|barba|juego|set)",
                "(me corte|cortarme|me corto|cortandome) (el|la|las|los) (pelo|cabello|"
                "unas|fleco|barba|flequillo)",
                "(me queme|quemarme|me quemo|quemandome) ...3 (cocinando|estufa|plancha|sol|"
                "horno|sarten|cafe|te|sin querer|accidente|trabajando)",
                "(recaida|recai|recaer) ...6 (fumar|cigarro|cigarros|tomar|alcohol|cerveza|"
                "droga|drogas|dieta|azucar|comida|apuesta|apuestas|juego|cancer|"
                "enfermedad|ansiedad|depresion)",
                "(fumar|cigarro|cigarros|alcohol|cerveza|drogas|dieta|azucar|comida|"
                "apuestas|cancer|enfermedad|sobriedad) ...6 (recaida|recai|recaer)",
                "(pegarme|golpearme) (un|una) (susto|bano|siesta|gripa|gripe|resfriado)",
                "(tirarme|aventarme|lanzarme|brincar|saltar) (a|en|al) (la|el)? (cama|sillon|"
                "piscina|alberca|agua|mar|lago|rio|trampolin|paracaidas)",
                "(puente|techo|edificio|ventana|vias|metro|tren) ...4 (trabajo|oficina|"
                "escuela|cita|casa de|tienda|consultorio|estacion)",
                "(tengo|traigo|compre|consegui) ...3 (navaja|cuchilla|cuchillas|navajas) ...3 "
                "(rasurar|afeitar|cocina|suiza)",
                "(sangrar|sangre) ...3 (nariz|encias|regla|periodo|analisis|examen)",
            ],
        },
        "examples": {
            "en": [
                "the rope is in the garage",
                "I keep looking at the bottle of tylenol in the cabinet",
            ],
            "es": ["me quiero tomar todo el frasco"],
        },
    },
    {
        # a regex rule runs on every message: one small expression, kept apart from the others
        "id": "floor.tripwire.suicide.count",
        "level": "concern",
        "subject": "self",
        "note": "ten or more of a pill named, whatever the verb; a dose in mg is not a count",
        "regex": {
            "en": [
                r"\b(?:[1-9][0-9]+|ten|twelve|fifteen|twenty|thirty|forty|fifty|sixty|a "
                r"hundred)(?: (?!mg\b|milligrams\b|ml\b|mcg\b|units\b|minutes\b|hours\b|days\b|"
                r"weeks\b|months\b|years\b|a day\b|per\b)[a-z]+){0,2} (?:pills|tablets|tylenol|"
                r"advil|ibuprofen|aspirin|xanax|benadryl|melatonin|sleeping pills|painkillers|"
                r"oxy|percocet|vicodin|klonopin|valium|ambien|seroquel|zoloft|prozac|"
                r"acetaminophen|paracetamol|motrin|aleve|trazodone|gabapentin|adderall)\b"
            ],
            "es": [
                r"\b(?:[1-9][0-9]+|diez|quince|veinte|treinta|cuarenta|cincuenta|cien)"
                r"(?: (?!mg\b|miligramos\b|ml\b|dias\b|semanas\b|meses\b|anos\b|horas\b)"
                r"[a-z]+){0,2} (?:pastillas|pildoras|tabletas|capsulas|tylenol|paracetamol)\b"
            ],
        },
        "examples": {
            "en": ["what happens if you take 30 tylenol at once"],
            "es": ["cuarenta pastillas de golpe"],
        },
    },
]

_OTHERS: list[dict[str, Any]] = [
    {
        "id": "floor.tripwire.others.violence",
        "level": "concern",
        "note": "a verb of violence or a weapon aimed at a person by the visitor",
        "patterns": {
            "en": [
                *(
                    f"({_EN_SUBJECT}) ...4 ({half}) ...4 {_EN_TARGET}"
                    for half in _parts(_EN_HARM_VERB)
                ),
                "(make|made|making) ...3 (bleed|suffer)",
                "(make|made|making) (him|her|them|that man|that woman|my ex) (bleed|pay|"
                "suffer|hurt|regret it|sorry|disappear)",
                "(put|putting) (him|her|them) (in|into|six feet|under) (the|a|his|her|their)? "
                "(ground|grave|hospital|coffin|body bag|under|wheelchair)",
                "(he|she|they|you) (will|is going to|are going to|gonna|is gonna) (pay|"
                "regret it|be sorry|get what is coming|get what he deserves|get what she "
                "deserves|not see it coming)",
                f"{_EN_WEAPON} ~8 (him|her|them|his|their|he|she|they|my ex|for when|"
                "waiting|outside|when i see)",
                "(waiting|parked|sitting|hiding|standing) (outside|by|near|at|across from) "
                "(his|her|their|my exs|my ex|the) (house|apartment|place|work|job|car|"
                "school|door|office|building)",
                "(know|learned|memorized|tracking|track|tracked) (his|her|their) (schedule|"
                "routine|address|whereabouts|location|movements)",
                "(poison|poisoning|poisoned|spike|spiking|spiked|lace|lacing|laced|put "
                "something in|slip something in|crush) ...5 (food|drink|coffee|meal|meals|"
                "tea|water|dinner|drinks|soup|bottle|formula|juice)",
                "(burn|burning|set fire to|torch) (down)? ...3 (house|car|place|apartment|"
                "home|school|building|office|truck|shop)",
                f"(run|running) ...2 {_EN_TARGET} (over|down|off the road)",
                f"(run|running) (over|down) ...2 {_EN_TARGET}",
            ],
            "es": [
                f"(matar|matarlo|matarla|matarlos|apunalar|apunalarlo|apunalarla|ahorcar|"
                f"ahorcarlo|ahorcarla|balacear|balacearlo|disparar|dispararle|envenenar|"
                f"envenenarlo|envenenarla|acuchillar|estrangular|estrangularlo|asfixiar|"
                f"asfixiarlo|golpear|golpearlo|golpearla|madrear|madrearlo|quemar|"
                f"quemarle|atropellar|atropellarlo|partirle|romperle|picar|picarlo|sacudir|"
                f"sacudirlo|ahogar|ahogarlo|lastimar|lastimarlo|lastimarla|desaparecer) ...3 "
                f"(a|al)? (mi|mis|su|sus|el|la|los|las|ese|esa|este|esta)? {_ES_TARGET}",
                f"(balazo|balazos|tiro|tiros|plomazo|navajazo|cuchillazo|puñalada|punalada|"
                f"punaladas|madrazo|machetazo|golpiza) ...4 (a|al) (mi|mis|su|sus|el|la|ese|"
                f"esa)? {_ES_TARGET}",
                f"(pistola|arma|cuchillo|navaja|machete|bate|rifle|escopeta) ~8 (para|"
                f"contra|esperando|afuera de|cuando lo vea|cuando la vea) ...3 {_ES_TARGET}?",
                "(me la|me lo|me las|me los|la va a|lo va a|las va a|los va a) (va a|van a)? pagar",
                "(envenenar|envenenarle|echarle algo|ponerle algo) ...4 (comida|bebida|cafe|"
                "agua|te|sopa|mamila)",
                "(lo|la|los|las|le) (voy a|vamos a|quiero|pienso|podria|tengo ganas de|"
                "van a) (matar|apunalar|ahorcar|balacear|golpear|quemar|envenenar|"
                "acuchillar|madrear|desaparecer|lastimar|disparar|partir)",
                "(se|sabemos|averigue|ya se) donde (vive|trabaja|duerme|estudia|esta)",
                "(que|va a|van a|me las va a|me la va a|lo va a|la va a) (pague|paguen|pagar|"
                "pagara) (por|caro|con sangre|lo que)",
                "(ya tengo|tengo|traigo|compre|consegui|agarre) (el|la|un|una|mi) (cuchillo|"
                "pistola|arma|navaja|machete|bate|rifle|escopeta)",
            ],
        },
        "exemptions": {
            "en": [
                "(kill|killing|shoot|shooting|murder|beat|beating|destroy|attack) ...6 "
                "(fortnite|minecraft|roblox|valorant|warzone|cod|call of duty|apex|"
                "overwatch|halo|game|games|pvp|match|level|boss|round|raid|league|zombies|"
                "chess|cards|tennis|race|video game|videogame|sims)",
                "(fortnite|minecraft|roblox|valorant|warzone|call of duty|apex|overwatch|"
                "halo|game|games|video game|videogame|sims|movie|show|book) ...8 (kill|"
                "killing|shoot|shooting|murder|burn|burning|beat|stab|attack)",
                "kill (it|them|him|her) with kindness",
                "(hurt|hurting|harm|harming|break|"
                "breaking|crush|crushing) (his|her|their|your|my) ...2 (feelings|heart|"
                "pride|ego|trust)",
                "shoot (him|her|them|you|my|a) ...2 (text|message|email|note|line|dm|a look)",
                "(shoot|shot|shooting) (my|your|his|her|our|their) shot",
                "hit (him|her|them|someone|you|me) up",
                "beat (him|her|them|my|someone|everyone) ...2 (at|in|to it|to the)",
                "(pay|paying|paid) (for|the|a|my|her|his|their|by|with|cash|online|it|rent|"
                "bill|bills|copay|back|me back|attention|off|taxes|tuition|half|upfront)",
                "(hit|punch|punching|beat|beating|kick|kicking) (a|the|my)? (punching bag|bag|"
                "heavy bag|pillow|gym|books|road|sack|snooze|button|target|pads|mitts)",
                f"{_EN_WEAPON} ...4 (hunting|hunter|range|safe|locked|permit|license|class|"
                "course|collection|show|control|violence|rights|owner|owners|laws|law|safety|"
                "store|shop|kitchen|cooking|chopping|set|skills|sharpen|toy|toys|mitzvah|"
                "baseball|softball|cricket|practice|game|team|league|swing|collection)",
                f"(hunting|hunter|range|safe|locked|permit|license|toy|toys|nerf|water|glue|"
                f"nail|staple|heat|squirt|paintball|airsoft|laser|bb|butter|steak|"
                f"baseball|softball|cricket|wiffle|bat|bar|sledge|sledgehammer|claw|rubber) "
                f"...2 {_EN_WEAPON}",
                "(bat|bats) (mitzvah|cave|house|signal|in the attic|in my attic|flying)",
                "(hammer|hammers|axe) ...4 (nail|nails|wood|tools|tool|build|building|"
                "firewood|chop|throwing|home depot|hardware|project)",
                "(weapon|weapons) (of choice|in a game|in games|skins|in fortnite)",
                "(burn|burning) (down)? ...3 (calories|fat|bridges|the toast|dinner|the "
                "candle|candles|cds|money|rubber|the midnight oil)",
                "(burn|burning|set fire to) ...3 (house|place|building|it|everything) "
                "...4 (sims|game|minecraft|the movie|the show|lol|joking)",
                "(spike|spiked|spiking|lace|laced|lacing) ...4 (punch|lemonade|eggnog|"
                "volleyball|ball|shoes|hair|sales|traffic|numbers|prices)",
                "(poison|poisoned|poisoning) (ivy|oak|control|center)",
                "food poisoning",
                "(waiting|sitting|standing|parked) (outside|by|near|at) (the|his|her|their) "
                "(office|building|school|door|house|apartment) ...6 (pick|pickup|pick up|"
                "appointment|session|ride|uber|bus|class|for my|for our|for the)",
                "(run|running) (over|down) ...3 (details|schedule|plan|plans|list|notes|"
                "budget|numbers|time|it|the|my|our|budget|agenda)",
                "(i|we|ill) (could|would|will) (kill|murder) (for|a|an|some)",
                "(kill|murder|strangle) (me|us) (for|if i|when i|because i)",
                "(make|made|making) (him|her|them) (pay|sorry) for (the|a|my|our|his|her|"
                "their|dinner|lunch|it online|rent|the bill)",
            ],
            "es": [
                "(matar|matarlo|matarla|disparar|dispararle|golpear) ...6 (juego|videojuego|"
                "fortnite|minecraft|roblox|pelicula|serie|partido)",
                "(matar|mato|mata) (el|la|al) (tiempo|hambre|sed|rato)",
                "matar si (llego tarde|me tardo|no llego|olvido|pierdo|rompo|no hago)",
                "(golpear|pegarle) (a|al) (la|el)? (costal|saco|pelota|balon|almohada)",
                "(me la|me lo|la va a|lo va a|las va a|los va a) (va a|van a)? pagar (con|en|"
                "por|el|la|los|las|mi|su|la renta|la cuenta)",
                "(pistola|rifle|escopeta|cuchillo|navaja|machete|bate|arma) (de agua|de "
                "juguete|de cocina|para la cocina|de beisbol|de silicon|de calor|para cazar|"
                "para pelar)",
            ],
        },
        "examples": {
            "en": ["I'm going to make him bleed", "I keep my gun in the car for when I see him"],
            "es": ["le voy a dar un balazo a mi vecino"],
        },
    },
]

_ABUSE: list[dict[str, Any]] = [
    {
        "id": "floor.tripwire.abuse.person",
        "level": "concern",
        "note": "a person near a verb of harm, control or sexual abuse, with the visitor in it",
        "patterns": {
            "en": [
                *(
                    f"({_EN_PERSON}) ...8 ({half}) ...3 (me|us|my|mine|myself|our)"
                    for half in _parts(_EN_BLOWS, 4)
                ),
                f"({_EN_PERSON}) ...8 (kill|murder|end|finish|shoot|stab|bury|destroy|get) (me|us)",
                *(f"({half}) (me|us) ...6 ({_EN_PERSON})" for half in _parts(_EN_BLOWS, 4)),
                "(puts|put|putting|laid|lays|laying|lay) (his|her|their) hands (on|around) "
                "(me|us|my)",
                "(hands|hand) (on|around) my (neck|throat|mouth)",
                "(does|did|doing|do|makes me do|made me do) (stuff|things|something|bad things|"
                "weird things|sexual things|nasty things) (to|with|on) (me|us|my)",
                "(got|was|been|being|get|getting|were) (drugged|roofied|spiked|raped|"
                "assaulted|attacked|molested|abused|beaten|beat up|choked|strangled|groped|"
                "trafficked|kidnapped|stalked|threatened|hit|punched|kicked|slapped|"
                "pushed|shoved|burned|burnt|tied up|locked in)",
                "(has|have|had|with|got|gets|getting|left) (bruises|a black eye|black eyes|"
                "welts|marks|burns|cuts) (on|all over|again|everywhere|from)?",
                "(pics|pictures|photos|nudes|videos|images|vids|naked pictures) of me",
                "(send|post|share|leak|show|sending|posting|sharing) (them|it|those|the "
                "pics|the pictures|the photos|the videos) ...5 (unless|if i do not|if i "
                "dont|if i will not)",
                "(our|my|his|her|the) relationship ...4 (secret|between us|nobody can know|no "
                "one can know|nobody knows)",
                f"({_EN_PERSON}) ...6 (secret|between us|nobody can know|no one can know)",
                "(banging|pounding|kicking|hammering|slamming) (on|in) (the|my|our)? "
                "(door|doors|window|windows)",
                "(break|breaking|broke|kick|kicking|bust|busting) (it|the door|my door|our "
                "door|the window|my window|in|down the door|the door down) (down|in)?",
                "(not|never) allowed to (leave|go|see|talk|have|use|call|eat|sleep|work|tell|"
                "go out|have friends|drive)",
                "(takes|took|keeps|kept|controls|steals|stole) (my|all my|all of my) (whole)? "
                "(paycheck|money|wages|salary|pay|check|benefits|savings)",
                "(holds|held|holding|pins|pinned|pinning|pin|hold) (me|us) (down|against|back|"
                "so i|until|by)",
                f"({_EN_PERSON}) ...6 (makes|made|make|forces|forced|wants|wanted|tells|told) "
                "me (to)? (sleep|shower|bathe|undress|lie down|lay down|get in|take off|sit "
                "on|sleep in|get naked|change in front) ...3 (his|her|their|him|with|bed|"
                "clothes|lap|front)",
                "(exposed|exposes|exposing|flashed|flashes|showed me|shows me) (himself|"
                "herself|themselves|his privates|his private|his penis|his thing|her "
                "privates)",
                "(watches|watched|watching|stares at|stared at|films|filmed|peeks at|peeked "
                "at|spies on|spied on|walks in on|walked in on) (me|us|my daughter|my son|my "
                "kids|my sister) (change|changing|shower|showering|undress|undressing|sleep|"
                "sleeping|in the shower|in the bathroom|naked|get dressed|getting dressed)",
                f"({_EN_PERSON}) ...6 (comes|came|walks|walked|barges|barged|gets|got|sneaks|"
                "snuck|climbs|climbed|creeps|crept|lets himself|let himself) (in|into|in to) "
                "...2 (bathroom|shower|bedroom|room|bed|tent|covers) ...6 (when|while|at "
                "night|and)",
                "(rape|raped|raping|rapist|rapes|molest|molested|molesting|molester|molests|"
                "sexually|incest|groped|grope|groping|gropes|grooming|groomed|abusive|abuser|"
                "abusers|abuse|abused|domestic violence|assault|assaulted|assaults)",
                "(beaten|battered|bruised|black eye|black eyes|split lip|broken arm|broken "
                "rib|broken ribs|bruises|welts|hand marks|finger marks|strangulation marks|"
                "choke marks) ...4 (from|by|after|because|when|last night|again)",
                "(my|i have|i got|got|with) (bruises|a black eye|black eyes|welts|marks|a "
                "split lip|cuts|scratches) (on|all over|around) (my|me) ...2 (neck|arms|arm|"
                "face|back|legs|body|throat|wrists)",
                f"(afraid|scared|terrified|frightened|fear|fearful|petrified|scares me|"
                f"frightens me|terrifies me) ...4 (of|to go|to be|to leave|to tell|to see|"
                f"what|when|that)? ...3 ({_EN_PERSON}|home|house|going home|go home|the "
                f"house)",
                "(afraid|scared|terrified|frightened) (for|of) (my|our) (life|lives|safety|"
                "kids|children|baby)",
                "(not|never|do not|does not|can not) (feel|be|am) safe (at home|in my home|in "
                "my house|with him|with her|with them|around him|around her|around them|"
                "here|in this house)",
                "(told|tells|asked|asks|made|makes|wants|wanted) me (to|2)? (delete|hide|"
                "keep|not tell|erase|keep quiet|keep it|never tell|lie)",
                "(do not|dont|not to|never|can not|cant|could not) (tell|say|mention) ...3 "
                "(anyone|anybody|your mom|your parents|your dad|my mom|my parents|my dad|"
                "mom|dad|no one|nobody|the teacher|the police|cops)",
                "(our|a) (little)? secret",
                "(sends|sent|sending|asks|asked|asking|wants|wanted|texts|texted|dms|"
                "messages|messaged) me ...4 (pictures|pics|photos|nudes|videos|at night|late "
                "at night|naked|sexual|inappropriate|weird|creepy|private)",
                "(will not|would not|does not|never|not) let (me|us|him|her|them) (leave|go|"
                "out|see|talk|have|use|call|sleep|eat|work|drive|take|get|tell)",
                "(controls|checks|takes|took|smashed|broke|hides|hid|reads|monitors|tracks|"
                "locks|keeps|kept|holds|confiscated|stole|steals) my (phone|money|messages|"
                "location|bank|texts|emails|car keys|keys|"
                "passport|documents|medication|meds|pills|insulin|food|card|cards|id)",
                "(keeps|kept|keep) me (locked|inside|in|from|away|trapped|prisoner|hostage)",
                "(locked|lock|locks|locking|trapped|traps) (me|us|him|her|them) (in|out|inside|"
                "up|into)",
                "(threat|threats|threatening|threatened|threatens|threaten) ...6 (me|us|my|"
                "kids|children|baby|family|dog|cat|kill|hurt|take|leave)",
            ],
            "es": [
                *(
                    f"({_ES_PERSON}) ...8 (me|nos|te|le|lo|la|los|las) ({half})"
                    for half in _parts(_ES_ABUSE_VERB)
                ),
                *(f"(me|nos) ({half}) ...6 ({_ES_PERSON})" for half in _parts(_ES_ABUSE_VERB)),
                "(viol*|abuso sexual|abusaron|abuso de mi|abusa de mi|abusaba de mi|"
                "manose*|acoso sexual|violencia domestica|violencia familiar|maltrato|"
                "maltrata|maltrataba|me maltrata|agresion|agredio|me agrede)",
                "(moretones|moreton|morados|marcas|golpes|ojo morado|labio roto|brazo roto|"
                "costilla rota) ...6 (me|por|de|en el|en la|en mi|en los)",
                f"(miedo|asusta|asustada|asustado|temo|terror|panico|aterra|aterrada|"
                f"aterrado) ...6 ({_ES_PERSON}|casa|regresar|volver|llegar a casa)",
                "(no|nunca) (me|nos) (deja|dejan|dejaba|dejaban|permite|permiten) (salir|"
                "ver|hablar|usar|ir|tener|trabajar|llamar|comer|dormir|estudiar)",
                "no (le|les)? (diga|digas|cuente|cuentes|dijera|contara|dire|decir|digan) "
                "(a nadie|nada|a tu mama|a mi mama|a tu papa|a tus papas|a la maestra)",
                "(nuestro|un|es) (secreto|secretito)",
                "(tiene|tengo|con|le sali*|le vi|tenia|le dejo|le deja) (moretones|morados|"
                "golpes|marcas|quemaduras|rasgunos)",
                "(deja|dejan|dejaba|tiene|tienen) (sin|a) (comer|comida|agua|medicina)",
                "no (me|le|les|nos|lo|la) (da|dan|daba|daban|deja|dejan) (de comer|comer|"
                "agua|sus medicinas|su medicina)",
                "(lo|la|los|las|me|nos) (encierra|encerro|encierran|encerraba|tiene "
                "encerrad*|amarra|amarro)",
                "(golpeando|pateando|aporreando|tocando fuerte|rompiendo) (la|mi) (puerta|ventana)",
                "(tumbar|romper|derribar|tirar) la puerta",
                "(mensajes|fotos|videos) ...4 (raros|feos|de noche|en la noche|secret*|"
                "borrar|borre|borrarlos|desnuda|desnudo|intimas|privadas)",
                "(me|nos) (encierra|encerro|encerraba|encierran|tiene encerrada|tiene "
                "encerrado|quita el|quito el|quita mi|quito mi|revisa el|revisa mi|controla)",
                "(amenaza|amenazo|amenazas|amenazaba|amenazando) ...6 (me|matar|matarme|"
                "lastimar|quitarme|hijos|ninos|familia|pegar|golpear)",
            ],
        },
        "exemptions": {
            "en": [
                "(touch|touched|touches|touching) (my|our|his|her) heart",
                "(touched|touches|touching) me (deeply|so much|to|when he sang|with)",
                "(really|deeply|so|it) touched me",
                "(touch|touching|touches|touched) base",
                "(keep|keeps|stay|stays|staying|kept|get|got|getting) in touch",
                "(pushes|pushed|pushing|push|pressure|pressures|pressured|pressuring|forces|"
                "forced|forcing|force) me (to|into) (be|do|try|take|apply|go|finish|work|"
                "study|get|doing|taking|applying|going|come|therapy|eat|exercise|practice|"
                "see|sign|make|write|clean|save|grow|improve|start|stop|quit|retire|leave "
                "my comfort)",
                "(forced|forces|pressured|pressures) (to|into) (retire|resign|quit|move|leave "
                "my job|sell|work|take|go|come|change)",
                "(threatened|threatens|threatening|threaten) to (fire|sue|quit|report|call|"
                "cancel|evict|ground|take away my phone|take my phone|leave|move out|break "
                "up|divorce me|cut me off|stop paying|kick me off|kick me out of the group)",
                "(threatened|threatening|threatens|threaten) (legal|to take legal)",
                "(kill|murder|strangle) (me|us) (for|because i)",
                "(got|was|been|get|getting|were) (hit|punched|kicked|pushed|shoved|burned|"
                "burnt|knocked) by (a|the) (car|truck|bus|ball|baseball|wave|bike|train|door|"
                "branch|deer)",
                "(got|was|been|get|getting|were) (hit|punched|kicked|pushed|shoved|burned|"
                "burnt|knocked) (in|at|with) (soccer|football|the game|practice|a game|hockey|"
                "boxing|class|a ball|work)",
                "(got|get|getting) (burned|burnt|knocked) out",
                "(dog|cat|pet|deer|animal|puppy|kitten|horse) ...3 (got|was) (hit|kicked)",
                "(kill|murder) (me|us) (if|when) (i|we) (am|are|get|got|do not|forget|miss|"
                "fail|break|lose|spend|eat|show up|come in|am late|are late|skip|mess up)",
                "(beat|beats|beaten) (me|us) (at|in|to) ...2 (chess|cards|game|games|tennis|"
                "race|running|golf|poker|basketball|soccer|match|it|the punch)",
                "(hit|hits) (me|us) up",
                "(it|this|that|news|reality|grief|loss|wave) ...2 (hit|hits) (me|us)",
                "(grabbed|grabs|grab) (me|us) (a|an|some|coffee|lunch|food|dinner|drink|a "
                "drink|ice cream)",
                "(kicked|kicks|kick) (me|us) out of (the|a|our|his|her)? (group|chat|class|"
                "game|team|server|discord|meeting|band|club|call|bed)",
                "threw me (under the bus|a party|a surprise|off|for a loop|a curveball|a bone)",
                "(throws|threw|throw) (me|us) (a|an) (party|surprise|bone|curveball|ball)",
                "(holds|held|hold|holding) (me|us|my) (hand|hands|close|tight|accountable|"
                "when|while|at night|back from)",
                "(hug|hugs|hugged|hugging|kiss|kisses|kissed|cuddle|cuddles|comfort|"
                "comforts|comforted) (me|us)",
                "(follow|follows|followed|following) (me|us) (on|back on) (instagram|"
                "twitter|social media|tiktok|facebook|linkedin)",
                "(tracks|tracked|track) (my|our) (package|order|steps|sleep|progress|habits|"
                "periods|spending|mood|hours)",
                "(locked|lock|locks) (me|us) out (of|by accident|accidentally)",
                "(locked|lock) myself out",
                "(abuse|abused|abusive|assault|assaulted) ...6 (prevention|awareness|"
                "advocate|advocacy|hotline|training|center|survivors group|course|class|"
                "research|paper|book|movie|documentary)",
                "(substance|drug|alcohol|drugs|opioid) abuse",
                "(assault|assaulted) (rifle|rifles|weapon|charge|charges|course|on the senses)",
                "(hurt|hurts|hurting) me (to say|to see|to hear|to think|to watch|that)",
                "(record|records|recorded|film|filmed|filming) (me|us) ...4 (recital|game|"
                "performance|dance|play|graduation|birthday|wedding|singing|talk|speech)",
                "(our|a) (little)? secret (santa|recipe|ingredient|garden|menu|weapon)",
                "(do not|dont|not to|never) (tell|say|mention) ...3 (anyone|anybody) (about "
                "my|my) (age|weight|salary|grades|score)",
                "(will not|would not|does not|never|not) let me (leave|go) (early|to the|"
                "until i finish|without|home early)",
                "(afraid|scared|terrified|frightened) (of|to see|to tell|to disappoint|to "
                "upset|to hurt|to lose|for) (my|his|her|their|the)? ...2 (therapist|doctor|"
                "boss|teacher|reaction|feelings|opinion|judgment|grades|exam|results|health|"
                "future|job|kids feelings|disappointing|letting)",
                "(afraid|scared|terrified|worried|fear) ...4 (people|everyone|they|someone|"
                "somebody|others) (will|would|might|are going to|judge|think|see|find out|"
                "know|laugh|notice|hate|leave|reject|talk)",
                "(afraid|scared|terrified|nervous) (of|about) (being|getting) (judged|"
                "rejected|alone|abandoned|left|hurt again|sick|fired)",
                "(afraid|scared|terrified|worried) ...3 (for|about) (my|our|his|her) (mom|"
                "dad|mother|father|parents|kids|son|daughter|brother|sister|friend|husband|"
                "wife|partner) ...3 (health|surgery|cancer|illness|drinking|safety driving|"
                "future|grades)",
                "(scared|afraid|terrified|nervous|anxious) ...3 (of|about) (the)? (dark|"
                "spiders|needles|flying|heights|crowds|driving|dogs|public speaking|"
                "therapy|the dentist|doctors|hospitals)",
            ],
            "es": [
                "me (toca|tocaba|toco|tocara) (trabajar|ir|pagar|cocinar|limpiar|llevar|hacer|"
                "manejar|cuidar|lavar|recoger|esperar|estudiar|cerrar|abrir|sacar|dar|venir|"
                "salir|quedarme|a mi|el turno|turno|la cita|la sesion|el lunes|el martes|"
                "el miercoles|el jueves|el viernes|el sabado|el domingo|en la manana|en la "
                "tarde|temprano|tarde|mañana)",
                "(mata|mato|matando|esta matando) (el|la|los|las)? (calor|frio|trafico|"
                "trabajo|sueno|hambre|cansancio|estres|dolor|tarea|escuela|risa|curiosidad|"
                "ansiedad|espera)",
                "(calor|frio|trafico|trabajo|sueno|hambre|cansancio|estres|dolor|tarea|"
                "escuela|risa|curiosidad|ansiedad|espera) (me|nos) (mata|esta matando|"
                "va a matar)",
                "me (pego|pega) (la gripa|la gripe|el sol|el virus|el covid|el calor|un "
                "susto|la depre)",
                "(obliga|obligo|obligaron|obligan|obligaba) a (ir|venir|estudiar|trabajar|"
                "hacer la tarea|terapia|limpiar|comer|dormir|buscar|tomar mis|ver a)",
                "(me|nos) (obligaron|obligan|obliga) a venir",
                "matar si (llego tarde|me tardo|no llego|olvido|pierdo|rompo|no hago)",
                "(amenaza|amenazo|amenazaron|amenazan|amenazaba) con (despedirme|correrme|"
                "demandarme|demandar|acusarme|reportarme|quitarme el trabajo|cobrarme|"
                "desalojarme|sacarme del grupo)",
                "me (hace|hizo) cosas (ricas|de comer|bonitas|lindas)",
                "(abuso|violencia|maltrato|agresion) ...6 (prevencion|campana|curso|taller|"
                "clase|libro|pelicula|documental|platica)",
                "(abuso|abusa) de (alcohol|drogas|sustancias|la comida|confianza)",
                "(ataque|ataques|crisis|trastorno) de panico",
                "(miedo|temor|panico|asusta) ...4 (al|a los|a las|de los|de las|de la|del) "
                "(examen|examenes|dentista|doctor|oscuridad|aranas|agujas|avion|aviones|"
                "manejar|futuro|resultados|terapia)",
                "(miedo|temor|asusta) (a|de) que (me|mi|el|la) ...3 (juzgue|juzguen|regane|"
                "corra|despida|deje)",
                "me (jala|jalo) (la|el) (oreja|orejita|brazo para)",
                "(un|es) (secreto|secretito) (de|para) (la|mi|cocina|receta|belleza|navidad)",
                "(mensajes|fotos|videos) ...4 (borrar|borre) ...4 (celular|espacio|memoria)",
            ],
        },
        "examples": {
            "en": ["my husband puts his hands on me", "someone at church keeps touching me"],
            "es": ["mi papá nos golpea cuando toma"],
        },
    },
]

_MEDICAL: list[dict[str, Any]] = [
    {
        "id": "floor.tripwire.medical.body",
        "level": "concern",
        "note": "a body in trouble: breath, consciousness, fits, poisons, bleeding, sugar",
        "patterns": {
            "en": [
                "(gasp|gasping|gasps|wheezing|choking|choked|turning blue|turned blue|blue "
                "lips|lips are blue|limp|floppy|unconscious|unresponsive|collapsed|"
                "collapse|collapsing|fainted|fainting|passed out|passing out|blacked out|"
                "blacking out|keeled over|seizure|seizures|seizing|convulsing|convulsion|"
                "convulsions|overdose|overdosed|overdosing|poisoned|poisoning|stroke|"
                "paralyzed|hemorrhage|hemorrhaging|anaphylaxis|anaphylactic|epipen|"
                "bleeding|bleed|bled|overdoses|oding)",
                "(not|is not|stopped|will not|can not|could not|does not|barely|hardly) "
                "(moving|waking|wake|responding|respond|answering|breathing|breathe|"
                "talking|making sense|opening his eyes|opening her eyes|opening their eyes|"
                "opening my eyes|waking up|wake up|"
                "conscious|stand up|get up|feel my|see)",
                "(swallowed|ate|eaten|drank|drunk|chewed|licked|got into|getting into|gotten "
                "into|ingested|bit into) ...4 (pills|pill|tablets|meds|medication|medicine|"
                "medicines|pods|pod|detergent|bleach|cleaner|cleaning|chemicals|chemical|"
                "medicine cabinet|battery|batteries|magnet|magnets|poison|antifreeze|"
                "cigarette|cigarettes|vape|nicotine|edible|edibles|mushrooms|drano|lye|"
                "fentanyl|gummies|mushroom|plant|berries|windshield fluid|gasoline|lighter "
                "fluid|nail polish remover|alcohol|vodka|sanitizer|hand sanitizer|rat "
                "poison|ant poison|bug spray|something|coin|button)",
                "(medicine cabinet|under the sink|cleaning supplies|pill bottle|pill "
                "bottles|pill organizer) ...6 (got into|into|open|opened|empty|ate|"
                "swallowed|missing)",
                "(fever|temperature|febrile) ~10 (fit|fits|shaking|seizure|twitching|jerking|"
                "stiff|floppy|limp|eyes|rolling|unresponsive|will not wake|convuls*)",
                "(sugar|glucose|blood sugar|insulin|diabetic|diabetes|hypo|hypoglycemic|"
                "low sugar) ~10 (shaking|shaky|confused|sweating|sweaty|dizzy|crashing|"
                "dropping|passing out|pass out|faint|can not think|will not wake|"
                "unresponsive|too much|really low|very low|so low|really high|off the "
                "charts|sick)",
                "(cut|cuts|sliced|gash|gashed|wound|slashed|stabbed|bite|bitten) ...5 (deep|"
                "to the bone|stitches|will not stop|wont stop|gushing|spurting|pouring|"
                "everywhere)",
                "(heart|chest|arm|jaw) ...3 (attack|stopped|stopping|racing|pounding|pain|"
                "pains|aching|aches|numb|tingling|pressure|tight)",
                "(allergic|allergy|hives|swelling|swollen|reaction) ~8 (throat|breathe|"
                "breathing|lips|tongue|tight|closing|face|eyes swollen|peanut|bee sting)",
                "(fell|fallen|fall|tripped|slipped) ...8 (head|not moving|unconscious|"
                "will not wake|can not get up|can not move|bleeding|confused|throwing up|"
                "vomiting|knocked out)",
                "(spurting|gushing|pouring|squirting|pumping|spraying) ...3 blood",
                "blood ...3 (spurting|gushing|pouring|squirting|everywhere|all over|will not "
                "stop|soaked|soaking|dripping)",
                "(throwing up|vomiting|puking|coughing up) ...4 (blood|black|nonstop|and "
                "confused|and passing out|after hitting)",
                "(breathing|breathes|breath|breaths) ...2 (slow|slowly|shallow|weird|weirdly|"
                "funny|strange|strangely|raspy|gurgling|irregular|really fast|so fast)",
                "(after|from|since) (taking|he took|she took|they took|i took|swallowing) "
                "(something|some pills|a bunch|those pills|pills|his pills|her pills)",
                "(can not|could not) (feel|move|see) ...3 (arm|arms|leg|legs|face|side|"
                "fingers|feet|hand|anything)",
                "(words|speech|talking|speaking|sentences) ...4 (wrong|weird|slurred|"
                "garbled|strange|jumbled|do not make sense|coming out wrong)",
                "(face|mouth|eye|smile) ...4 (weird|droopy|drooping|crooked|numb|lopsided|"
                "frozen|fallen|falling)",
                "(i|we|i need to|should i|do i|i have to|i had to|i just|i am going to|"
                "someone|somebody) ...2 call (911|an ambulance|9 1 1|the ambulance|"
                "emergency)",
                "(ambulance|paramedics|er|emergency room|911|poison control) ...4 (now|"
                "coming|called|calling|should i|do i|need|right now)",
            ],
            "es": [
                "(ahoga|ahogando|ahogo|se ahoga|no respira|respira raro|respira muy|jadea|"
                "jadeando|morado|morada|moradito|moradita|azul|inconsciente|desmayo|desmaye|"
                "desmayada|desmayado|desmaya|desmayando|convulsion|convulsiona|"
                "convulsionando|convulsiones|ataque|sobredosis|envenen*|intoxic*|derrame|"
                "embolia|infarto|sangra|sangrando|sangrado|hemorragia|paralizada|paralizado)",
                "no (se mueve|reacciona|responde|despierta|habla|abre los ojos|"
                "puede hablar|puede moverse|puede mover|puede caminar|puede ver|puede "
                "levantarse|puedo hablar|puedo moverme|puedo mover|puedo ver|siento el "
                "brazo|siente el brazo|siento la cara|siente la cara)",
                "(mitad|lado|parte) de (la|su|mi) (cara|cuerpo|boca)",
                "(se le durmio|se me durmio|se le cayo|torcida|chueca|caida) ...3 (cara|"
                "boca|brazo|pierna|mitad)",
                "(se trago|se tomo|se comio|se bebio|me trague|me tome|me comi|me bebi|"
                "comio|bebio) ...4 (pastillas|pildoras|medicinas|medicamentos|"
                "cloro|lejia|detergente|limpiador|veneno|raticida|pila|pilas|bateria|"
                "baterias|iman|imanes|cigarro|alcohol|gasolina|quimico|quimicos|capsulas|"
                "algo|moneda)",
                "(fiebre|temperatura|calentura) ~10 (tiembla|temblando|convulsion*|ojos|"
                "rigido|rigida|no despierta|no reacciona|flojito|flojita)",
                "(azucar|glucosa|diabetico|diabetica|insulina) ~10 (temblando|tiembla|"
                "confundida|confundido|sudando|mareada|mareado|baja|bajo|no despierta|"
                "desmaya|desmayo)",
                "(dolor|duele|duelen|presion|aprieta|opresion) ~6 (pecho|brazo izquierdo|"
                "mandibula|quijada)",
                "(llamo|llamamos|llamaron|debo llamar|tengo que llamar|necesito llamar|"
                "llamar) (al 911|a la ambulancia|una ambulancia|a "
                "emergencias)",
                "(se cayo|se callo|cayo|se golpeo|se pego) ...6 (cabeza|no se mueve|no "
                "reacciona|no despierta|sangra|sangrando|vomita|vomitando|inconsciente)",
            ],
        },
        "exemptions": {
            "en": [
                "(bleeding|bleed|bled|blood) ...3 (gums|from my gums|nose|nosebleed|period|"
                "paper cut|hemorrhoids|lip|cuticle|heart out|heart for|money|cash|dry|"
                "through the paint|colors|ink|edge)",
                "(gums|nose|period|paper cut|cuticle|cuticles|lip) ...3 (bleeding|bleed|bled)",
                "the (bleeding|blood) (stopped|has stopped|is under control)",
                "(choked|choking|choke) (on|up) ...3 (laughing|water|my water|drink|coffee|"
                "tea|spit|saliva|words|tears|up|a chip|gum|while eating)",
                "(choked|choking) up",
                "(bleeding|bleed|bled) (me|us|them) dry",
                "(have|had|get|got|having) (panic|anxiety) attacks? ...8 (chest|heart|breathe|"
                "breathing|faint|pass out|dying|numb|tingling|racing|pounding)",
                "(chest|heart|breathe|breathing|faint|pass out|numb|tingling|racing|"
                "pounding) ...8 (panic attack|panic attacks|anxiety attack|anxiety attacks|"
                "when i am anxious|when i get anxious|when i panic|from anxiety|with "
                "anxiety|my anxiety|because of anxiety|anxiety makes)",
                "(anxiety|panic) ...6 (feel like|feels like|makes me feel) ...3 (can not "
                "breathe|heart attack|dying|choking|passing out|pass out)",
                "(heart|hearts) (racing|pounding) ...6 (excited|excitement|nervous|"
                "interview|date|coffee|caffeine|exercise|running|workout|gym|exam|test)",
                "(heart) (attack|attacks) (lol|joke|with that bill|when i saw)",
                "(give|gave|giving|almost|nearly) (me|him|her)? a heart attack",
                "(heart|chest|arm|jaw|leg|back) (day|workout|press|fly|exercise|exercises)",
                "chest of drawers",
                "(arm|arms|leg|legs|side) ...4 (from|after) (sitting|"
                "sleeping|running|the gym|working out|lifting|my flu shot|the vaccine)",
                "(collapsed|collapse|collapsing) ...3 (tent|bridge|building|economy|market|"
                "deal|company|relationship|marriage|plans|business|star|lung years ago)",
                "(stock|market|economy|deal|company|relationship|marriage|plans|business|"
                "tent|star|empire|building|bridge|roof|government|team) ...3 (collapsed|"
                "collapse|collapsing)",
                "(poison|poisoning) (ivy|oak|control number|control center)",
                "food poisoning ...6 (last|ago|week|month|year|better|recovered|over)",
                "(lead|mercury) poisoning ...6 (test|testing|house|paint|pipes|water)",
                "(passed|passing) out (flyers|papers|candy|tests|food|samples|the|cards)",
                "(passed out|blacked out|fainted) ...6 (years ago|as a kid|when i was|in "
                "college|in high school|once|one time|from exhaustion|at the sight of "
                "blood|when i see blood|giving blood|getting blood drawn|from dehydration|"
                "in the heat|last year)",
                "(stroke|strokes) of (luck|genius|midnight)",
                "(had|has had|have had|suffered|recovering from|recovered from|after|since) "
                "(a|his|her|my|their)? (stroke|heart attack|seizure|seizures|overdose|"
                "aneurysm|collapse)",
                "(brush|paint|pen|swim|swimming|back|golf|tennis|heat|key) (stroke|strokes)",
                "stroke (order|my ego)",
                "(not|is not|stopped|will not|can not|does not) (moving|responding|"
                "answering|talking|waking) ...3 (traffic|line|car|cars|queue|bus|train|"
                "project|things|stock|market|clock|time|needle|scale|numbers|app|site|"
                "website|page|computer|phone|laptop|screen|email|emails|texts|calls|my "
                "calls|my texts|my emails|forward|on|ahead|out|in|anywhere|at all on)",
                "(traffic|line|car|cars|queue|bus|train|project|things|stock|market|clock|"
                "time|needle|scale|numbers|app|site|website|page|computer|phone|laptop|"
                "screen|she|he|they|boss|landlord|doctor|insurance|office|company|nobody|"
                "no one|anyone|ex|school|teacher|husband|wife|boyfriend|girlfriend|mom|dad|"
                "friend|friends|therapist) ...3 (is not|are not|not|stopped|will not|does "
                "not|do not) (moving|responding|answering|talking|waking) ...3 (me|my|to|"
                "back|calls|texts|emails|messages|phone|at all)",
                "(can not|could not) (wake|waking) up (early|on time|in the morning|for|in "
                "time|without|before)",
                "(hardly|barely|not|can not) (sleeping|see the point|see why|see how|see a|"
                "see my|see it|see them|see him|see her|see you)",
                "(can not|could not|barely|hardly|not) (see|feel|stand up|get up) (the|a|why|"
                "how|what|it|any|my way|straight|past|out of bed|in the morning|for|until|"
                "early|on time)",
                "(not|can not|could not|barely|hardly|does not) (talking|talk|responding) "
                "(to|with) (me|us|him|her|them|my|each other|anyone)",
                "(got into|getting into|gotten into) (a|an|the|my|his|her|their) ...2 "
                "(college|school|program|fight|argument|trouble|car|habit|routine|debt|"
                "relationship|university|accident years ago)",
                "(ate|eaten|drank|drunk|swallowed|chewed) ...4 (alcohol|something) ...4 "
                "(last night|at the party|yesterday|on the weekend|at dinner|too much lol)",
                "(drank|drunk|drinking) (alcohol|a lot|too much) (at|on|last|this|every|"
                "when|with|because)",
                "(fell|fallen|fall|tripped|slipped) ...4 (asleep|behind|apart|in love|for|"
                "back|short|off the wagon|ill|sick|through)",
                "(hit|hits) (the|a) (gym|books|road|jackpot|snooze|button|wall at work|deer)",
                "(my|his|her|the) head (cold|ache|aches|hurts from|of the|start|first)",
                "(cut|cuts|sliced|wound|bite|bitten) ...5 (deep|stitches) ...4 (years ago|"
                "last year|as a kid|healed|healing|fine now|when i was)",
                "(cut|cuts|cutting) (deep|deeply) (into|in) (my|our|the) (savings|budget|"
                "time|sleep|paycheck|schedule)",
                "(words|speech|talking|speaking) ...4 (wrong|weird|strange) ...4 (when i am "
                "nervous|when nervous|anxious|stutter|stuttering|when i talk to|in front of|"
                "in meetings|in class|interview)",
                "(call|calling) 911 (on|about) (him|her|them|my neighbor|the neighbors)",
                "(er|emergency room) (nurse|nurses|doctor|doctors|physician|shift|shifts|"
                "visit last|visits|bill|bills|copay|last year|years ago|wait)",
                "(i am|im|as|work as|working as) (a|an) (er|paramedic|emt|nurse|doctor|"
                "physician|911 dispatcher|dispatcher|firefighter|lifeguard)",
            ],
            "es": [
                "(sangra|sangrando|sangrado|sangre) ...3 (nariz|encias|regla|periodo|menstrual)",
                "(nariz|encias|regla|periodo) ...3 (sangra|sangrando|sangrado)",
                "(ataque|ataques) (de panico|de ansiedad|de risa|de celos|de hambre|de tos)",
                "(equipo|juego|futbol|el otro equipo|el ataque) ...3 ataque",
                "(ahoga|ahogando|ahogo) (en|con) (trabajo|deudas|problemas|tareas|"
                "pendientes|un vaso de agua)",
                "me (ahogo|ahoga) (en|con) (un vaso|el trabajo|tanto)",
                "(desmaye|desmayo|desmayada|desmayado) ...6 (hace anos|de nina|de nino|una "
                "vez|en la prepa|en la escuela|cuando era|por el calor|al ver sangre|en un "
                "examen)",
                "no (contesta|responde|habla) (mis|los|el|mi|a mis|a los) ...2 (mensajes|"
                "llamadas|telefono|celular|correos|textos)",
                "(el|la|mi|su) (jefe|jefa|seguro|aseguradora|doctor|casero|ex|novio|novia|"
                "esposo|esposa|mama|papa|hijo|hija|amiga|amigo) no (contesta|responde|habla)",
                "no (se mueve|responde|reacciona) (la|el|mi) (fila|trafico|cola|pagina|app|"
                "aplicacion|computadora|celular|telefono|pantalla)",
                "(fila|trafico|cola|pagina|app|aplicacion|computadora|celular|telefono|"
                "pantalla) no (se mueve|responde|reacciona)",
                "(enfermera|enfermero|doctor|doctora|medico|paramedico|trabajo en) ...8 "
                "(sangre|sobredosis|infarto|ataque|convulsion*|desmayo*|inconsciente)",
                "no (puedo|puede) (ver|hablar) (a|con|la|el|mis|sus|por|bien|claro|cuando)",
                "(no puedo ver|no puedo hablar) ...2 (de|sobre|con|la hora|el momento|porque)",
            ],
        },
        "examples": {
            "en": ["my dad is gasping for air", "my son swallowed my pills"],
            "es": ["mi abuelo se cayó y no se mueve"],
        },
    },
]

TRIPWIRE: dict[str, list[dict[str, Any]]] = {
    "suicide_self_harm": _SUICIDE,
    "harm_to_others": _OTHERS,
    "abuse_violence": _ABUSE,
    "medical_emergency": _MEDICAL,
}
