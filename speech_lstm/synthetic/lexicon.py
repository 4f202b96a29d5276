"""English word lists for the sentence generator, most frequent words first in each list.

List order is the frequency rank used for Zipf-like sampling, so common words recur and rare
words stay rare. Words are lowercase a-z (and apostrophe). The irregular tables cover every
irregular verb and noun in the lists; everything else is inflected by spelling rules.
"""


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Nouns, split by role so that sentences stay plausible: people act, places take
# prepositions, things are handled, abstract nouns are discussed, mass nouns take no article.
PERSON_NOUNS = _words("""
    man woman child friend boy girl mother father teacher doctor brother sister student baby
    family neighbor son daughter husband wife parent kid driver farmer worker player artist
    writer officer nurse lawyer soldier manager guest customer visitor stranger king queen
    uncle aunt cousin grandmother grandfather captain pilot singer actor engineer scientist
    author reporter cook chef waiter baker butcher tailor carpenter plumber painter poet
    musician judge teenager adult person leader owner boss secretary clerk guard sailor
    fisherman hunter gardener librarian dentist surgeon professor tourist traveler passenger
    pupil coach athlete runner swimmer climber shepherd miner banker merchant shopkeeper mayor
    president minister priest detective thief hero witness partner colleague assistant
    volunteer architect designer photographer editor translator mechanic firefighter ranger
    explorer inventor journalist lady gentleman knight servant prince princess dancer giant
    wizard
""")

PLACE_NOUNS = _words("""
    house school city town village street road park garden room kitchen office station shop
    store market bank hospital church library museum restaurant hotel airport beach river lake
    forest mountain hill island farm field bridge square cafe theater cinema factory castle
    palace temple tower prison harbor stadium gym pool zoo barn garage cabin tent camp
    university college classroom laboratory studio gallery bakery pharmacy supermarket bedroom
    bathroom hall basement attic yard corner building apartment hallway balcony cellar valley
    cave desert ocean sea pond stream coast shore meadow jungle swamp bay canal tunnel alley
    avenue highway path trail playground courtyard orchard vineyard cottage mansion hut
    lighthouse mill countryside neighborhood plaza chapel cathedral embassy courthouse clinic
    nursery kindergarten warehouse workshop shed greenhouse stable ranch dock pier platform
""")

THING_NOUNS = _words("""
    book car door table window phone letter box tree dog cat bird horse apple chair bed bag
    key picture ball cup glass plate bowl bottle spoon fork knife pot pan lamp clock watch
    computer camera radio television screen desk shelf drawer cupboard sofa pillow blanket
    towel shirt dress coat hat shoe sock glove scarf jacket skirt belt button pocket ring
    necklace umbrella wallet ticket map card gift toy doll kite drum guitar piano violin song
    film movie photo page newspaper magazine novel poem diary notebook pencil pen envelope
    stamp parcel package basket bucket candle brush comb mirror train bus plane ship boat bike
    truck taxi van tractor helicopter rocket motorcycle wagon cow pig sheep goat chicken duck
    goose mouse rabbit fox wolf bear lion tiger elephant monkey snake frog fish whale dolphin
    shark owl eagle parrot bee butterfly spider ant deer donkey camel zebra giraffe kangaroo
    penguin turtle squirrel puppy kitten lamb calf orange banana lemon potato tomato carrot
    onion egg cake cookie sandwich pie peach pear cherry grape strawberry melon meal dish loaf
    pizza cucumber mushroom hand eye head face arm leg foot tooth finger toe knee shoulder ear
    nose mouth lip neck heart bone flower plant seed branch root leaf stone rock star cloud
    wave shell feather nest hammer nail screw drill ladder rope chain wheel engine machine
    tool axe shovel needle sword shield arrow lock fence gate wall floor roof carpet curtain
    sink oven fridge stove kettle jar tray suitcase backpack purse coin battery cable wire
    keyboard tablet printer helmet boot sandal sweater jewel diamond crown flag poster statue
    painting sculpture vase bell whistle trumpet flute toothbrush cushion mattress ribbon rug
    broom bench stool cabinet heater pipe lantern torch flashlight compass telescope
    microscope globe calendar alarm apron earring bracelet sausage muffin pancake cupcake
    pumpkin coconut pineapple watermelon plum apricot avocado olive bean
""")

ABSTRACT_NOUNS = _words("""
    idea problem question answer reason plan dream story lesson mistake decision choice rule
    chance result effect method theory fact opinion thought memory secret promise joke wish
    habit hobby goal task duty skill talent feeling fear hope risk danger doubt belief purpose
    process project system program report survey test exam grade score price cost fee bill
    budget salary profit debt loan contract deal agreement argument discussion conversation
    meeting interview party wedding holiday trip journey tour adventure accident event
    festival concert competition race victory battle solution difference experience
    experiment discovery invention design pattern shape color size number amount level step
    stage period moment minute hour second week month year day century decade season morning
    evening night afternoon weekend birthday anniversary word sentence name message language
    subject lecture speech sound noise voice smile movement gesture signal warning suggestion
    instruction direction request offer complaint excuse apology mystery puzzle riddle
    challenge job career business company team club group class course department service
    product brand reward prize medal award title chapter topic example detail point view
    nightmare vision surprise trick game
""")

MASS_NOUNS = _words("""
    water money food time music information news coffee tea milk bread rice sugar salt butter
    cheese meat soup juice oil air weather advice furniture equipment luggage homework work
    traffic knowledge luck fun snow rain sand dust paper wood gold silver iron cotton wool ice
    smoke steam fog chocolate honey jam flour pasta electricity energy evidence research
    progress history science art math poetry patience courage freedom peace silence space
    light grass hair laughter garbage mud soap cereal popcorn lemonade shampoo toothpaste
    medicine jewelry clothing software soil gravel salad fruit corn wheat cream garlic ginger
    vinegar
""")

NOUNS = PERSON_NOUNS + PLACE_NOUNS + THING_NOUNS + ABSTRACT_NOUNS + MASS_NOUNS

IRREGULAR_PLURALS = {
    "man": "men",
    "woman": "women",
    "child": "children",
    "person": "people",
    "fisherman": "fishermen",
    "gentleman": "gentlemen",
    "thief": "thieves",
    "wife": "wives",
    "knife": "knives",
    "shelf": "shelves",
    "scarf": "scarves",
    "wolf": "wolves",
    "calf": "calves",
    "loaf": "loaves",
    "leaf": "leaves",
    "foot": "feet",
    "tooth": "teeth",
    "goose": "geese",
    "mouse": "mice",
    "sheep": "sheep",
    "fish": "fish",
    "deer": "deer",
    "hero": "heroes",
    "potato": "potatoes",
    "tomato": "tomatoes",
}

# Verbs by the object they take: things, abstract nouns, people, or none (place phrases).
PHYSICAL_VERBS = _words("""
    take make find give bring buy sell carry hold open close build break cut clean cook wash
    paint draw write read send show see watch catch throw kick push pull lift move drop pick
    keep leave put get use want need like love hate fill empty fix repair ride play eat drink
    bite feed wear tear shake hit spend split grow dig lay spin spread swing sweep freeze ring
    shut steal hide borrow lend lose collect gather deliver receive replace remove print copy
    plant water burn boil bake fry serve taste smell touch check count measure weigh wrap pack
    load rent order sing bend blow bury fold pour stir mix chop slice peel squeeze melt heat
    dry polish scrub wipe sort stack lock unlock tie sew knit fetch grab drag roll toss attach
    install decorate design examine inspect trade exchange return share waste save destroy
    damage ruin sharpen carve sketch photograph film record afford search cover mend raise
    lower climb cross enter reach stop
""")

MENTAL_VERBS = _words("""
    know learn understand remember forget explain discuss describe accept refuse change
    suggest consider mention finish start study prefer choose plan prepare organize imagine
    expect solve answer begin continue repeat improve doubt notice announce admit deny believe
    enjoy hear create invent discover explore define predict analyze compare calculate judge
    celebrate cancel postpone delay arrange avoid handle manage complete attempt pass fail
    memorize practice deserve earn win join review
""")

SOCIAL_VERBS = _words("""
    meet call visit help invite thank greet follow ask tell teach pay hug chase trust admire
    miss marry warn remind wake kiss comfort encourage support forgive introduce interview
    hire beat fight lead guide rescue protect surprise annoy amaze scare disturb bother
    interrupt recognize respect blame praise question contact congratulate welcome ignore
""")

INTRANSITIVE_VERBS = _words("""
    go come run walk sleep sit stand swim fly arrive wait laugh smile cry shout dance jump fall
    rise work live travel rest talk listen agree argue complain cough sneeze breathe hurry relax
    sail cycle hike skate ski jog shop camp stay wander whisper scream sigh yawn nod blink
    shiver appear disappear succeed recover retire graduate pray vote snore kneel lean float
    sink slide think speak drive dive crawl march race wave pause hesitate nap dream frown grin
    giggle hum whistle chat stroll hop skip tremble faint vanish escape settle depart land
    remain linger volunteer bathe exercise train compete commute
""")

VERBS = PHYSICAL_VERBS + MENTAL_VERBS + SOCIAL_VERBS + INTRANSITIVE_VERBS

# base -> (past, past participle)
IRREGULAR_VERBS = {
    row[0]: (row[1], row[2])
    for row in (
        line.split()
        for line in """
            take took taken | make made made | find found found | give gave given
            bring brought brought | buy bought bought | sell sold sold | hold held held
            build built built | break broke broken | cut cut cut | draw drew drawn
            write wrote written | read read read | send sent sent | show showed shown
            see saw seen | catch caught caught | throw threw thrown | keep kept kept
            leave left left | put put put | get got gotten | eat ate eaten | drink drank drunk
            bite bit bitten | feed fed fed | wear wore worn | tear tore torn
            shake shook shaken | hit hit hit | spend spent spent | split split split
            grow grew grown | dig dug dug | lay laid laid | spin spun spun
            spread spread spread | swing swung swung | sweep swept swept
            freeze froze frozen | ring rang rung | shut shut shut | steal stole stolen
            hide hid hidden | lend lent lent | lose lost lost | sing sang sung
            bend bent bent | blow blew blown | sew sewed sewn | know knew known
            understand understood understood | forget forgot forgotten | choose chose chosen
            begin began begun | hear heard heard | win won won | meet met met
            tell told told | teach taught taught | pay paid paid | wake woke woken
            forgive forgave forgiven | beat beat beaten | fight fought fought | lead led led
            go went gone | come came come | run ran run | sleep slept slept | sit sat sat
            stand stood stood | swim swam swum | fly flew flown | fall fell fallen
            rise rose risen | kneel knelt knelt | sink sank sunk | slide slid slid
            think thought thought | speak spoke spoken | drive drove driven | ride rode ridden
        """.replace("|", "\n").splitlines()
        if line.strip()
    )
}

ADJECTIVES = _words("""
    good new old great big small long little young high large happy sad hot cold warm cool
    dark bright heavy red blue green yellow black white brown gray pink purple orange clean
    dirty empty full quiet loud soft hard strong weak rich poor cheap expensive easy difficult
    simple strange famous beautiful ugly pretty tall short thin thick wide narrow deep fast
    slow quick early late busy lazy tired hungry thirsty angry calm brave proud honest kind
    polite clever smart wise funny serious nervous friendly lonely lucky careful gentle wild
    sweet bitter sour salty fresh dry wet sharp round flat smooth rough sick healthy huge tiny
    enormous ancient modern special ordinary perfect terrible wonderful awful excellent lovely
    nice fine fair correct wrong true public private local foreign natural normal usual
    unusual useful comfortable dangerous safe hidden golden wooden plastic electric original
    light bad real important different free open closed broken lost missing favorite main
    silly shy cheerful curious excited bored boring exciting interesting delicious tasty spicy
    juicy crunchy creamy frozen cloudy sunny rainy windy foggy snowy stormy icy muddy dusty
    sandy rocky hilly grassy leafy shiny colorful pale dull faint vivid neat messy tidy
    crowded peaceful noisy silent distant nearby remote secret mysterious magic royal rural
    urban tropical northern southern eastern western central coastal hollow solid loose tight
    stiff tender fragile sturdy elegant fancy plain classic antique rare common popular
    familiar typical ideal basic complex clear obvious certain possible impossible necessary
    severe generous patient grateful loyal modest humble eager jealous anxious worried
    confident independent creative talented clumsy graceful fierce furious gloomy joyful
    sleepy elderly junior senior massive vast broad steep shallow square straight curly fluffy
    furry spotted striped bare sticky slippery rusty spotless fragrant mild raw ripe rotten
    stale wealthy precious valuable handy spare extra entire whole odd unique bumpy chilly cozy
    dizzy greedy grumpy humid lively noble shabby soggy brisk
""")

# Adverbs that sit naturally right before a verb: "she quickly opened the door".
ADVERBS = _words("""
    probably usually often always never sometimes really quickly slowly carefully quietly
    suddenly finally already actually certainly clearly easily gently happily sadly loudly
    softly bravely calmly politely proudly silently nervously eagerly angrily patiently
    secretly immediately recently almost nearly hardly still also simply honestly openly
    briefly gladly kindly warmly firmly gracefully accidentally deliberately eventually
    gradually seriously completely mostly generally normally typically occasionally
    frequently regularly constantly barely obviously apparently luckily fortunately
    unfortunately surely definitely possibly naturally cheerfully foolishly wisely rapidly
    instantly promptly casually boldly anxiously curiously rudely badly neatly truly deeply
    freely correctly properly safely
""")

FEMALE_NAMES = _words("""
    mary anna maria sarah emma lisa laura julia sophie emily olivia hannah alice grace lucy
    kate rachel helen nina eva clara rosa elena sofia chloe mia zoe amy jane ruth susan linda
    karen nancy betty diana fiona irene jessica megan natalie paula rebecca sandra tina vera
    wendy yuki aisha fatima priya mei lina leila amara ingrid astrid greta heidi marta carmen
    lucia isabel beatrice daisy lily ivy ella nora maya leah molly holly ellen joan judy olga
    irina naomi esther miriam abigail charlotte victoria amelia harriet margaret dorothy agnes
    edith martha
""")

MALE_NAMES = _words("""
    john james david michael peter paul thomas daniel robert william george jack tom sam ben
    max leo noah lucas adam oliver henry charles edward frank harry ivan carlos pedro juan luis
    diego marco luca hans karl erik lars felix oscar hugo victor simon mark kevin brian steven
    andrew matthew joseph samuel jacob ethan ryan alex nick tony omar ali hassan raj arjun
    kenji hiro chen wei kofi ahmed yusuf mario pablo jorge rafael stefan igor boris dmitri
    anton nils sven otto walter albert arthur
""")

FIRST_NAMES = FEMALE_NAMES + MALE_NAMES

CITIES = _words("""
    london paris berlin rome madrid tokyo beijing moscow sydney toronto chicago boston dublin
    vienna prague lisbon athens cairo istanbul mumbai delhi seoul bangkok amsterdam brussels
    oslo stockholm helsinki copenhagen warsaw budapest zurich geneva munich hamburg milan
    venice florence naples barcelona seville marseille lyon edinburgh glasgow manchester
    liverpool montreal vancouver melbourne auckland nairobi lagos lima bogota santiago havana
    kyoto osaka shanghai singapore dubai
""")

COUNTRIES = _words("""
    france germany spain italy japan china india brazil canada mexico egypt kenya nigeria
    russia poland greece turkey sweden norway finland denmark ireland scotland england wales
    portugal austria hungary peru chile argentina australia morocco iceland vietnam thailand
    indonesia korea switzerland belgium
""")

# Rivers take "the": "a boat on the danube".
RIVERS = _words("""
    nile amazon danube thames rhine seine volga ganges mississippi yangtze mekong zambezi tiber
    elbe loire congo hudson
""")

PLACE_NAMES = CITIES + COUNTRIES + RIVERS
