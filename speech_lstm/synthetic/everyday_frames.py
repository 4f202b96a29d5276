"""Hand tables for the everyday-word sentences: a sentence frame for each closed-class word
(pronouns, prepositions, conjunctions, auxiliaries, ...) and roles WordNet gets wrong.

A frame is a sentence with the word in it; `{clause}` (a short past clause), `{np}` (a noun
phrase), `{person}`, `{place}` (a place phrase), `{name}` and `{adj}` are filled by the
sentence generator, so each frame gives a different sentence each time it is used.
"""


def _words(text: str) -> list[str]:
    return text.split()


def _frames(text: str) -> dict[str, str]:
    rows = (line.split("|", 1) for line in text.strip().splitlines())
    return {word.strip(): frame.strip() for word, frame in rows}


CLOSED_FRAMES = _frames("""
the | the {adj} dog slept under the table
to | we walked to the station and then to the bank
and | {name} and {name} went home together
of | a cup of tea and a piece of cake
for | this present is for {person}
that | i know that {clause}
you | you told me that {clause}
with | she came with {person} and her dog
this | this is the house where {name} lived
from | the letter came from {name} last week
my | my brother lost my keys again
we | we were late because {clause}
your | is this your coat or your sister's
they | they said that {clause}
if | if it rains we will stay at home
what | what did you say to {person}
when | when {clause} we were very happy
it's | it's too late to call {person} now
their | the children left their bags {place}
her | her mother gave her a book
which | which road goes to the station
would | would you like some more tea
she | she knew that {clause}
how | how did you find {np}
don't | don't leave {np} {place}
them | we gave them {np}
i'm | i'm sure that {clause}
our | our teacher showed us {np}
than | the river is longer than the road
him | we saw him {place} yesterday
into | the cat jumped into the box
could | could you open the window please
these | these shoes are too small for me
because | we stayed inside because {clause}
where | where did you put {np}
should | you should call {person} tonight
those | those people live {place}
you're | you're right about {np}
that's | that's the best idea i have heard
something | something strange happened {place}
can't | i can't find {np}
since | we have not seen them since last summer
during | it rained during the whole trip
i've | i've never seen {np} before
without | he left without his coat
against | the boys leaned against the wall
didn't | {name} didn't call back
until | wait here until {name} comes back
he's | he's waiting for {person} {place}
anything | did you buy anything {place}
everything | everything was ready for the party
there's | there's a letter for {person} on the table
doesn't | the old radio doesn't work anymore
everyone | everyone liked {np}
they're | they're coming to dinner tonight
per | the rooms cost fifty dollars per night
others | some people stayed and others went home
isn't | it isn't far from here
we're | we're going to the beach tomorrow
anyone | has anyone seen {np}
else | who else was at the party
i'll | i'll call you when {clause}
won't | the door won't open
whether | i don't know whether {clause}
among | the house stood among tall trees
myself | i made the cake myself
yourself | you should help yourself to more food
although | we went out although it was raining
wasn't | the test wasn't very hard
she's | she's the new teacher at our school
himself | he hurt himself {place}
you'll | you'll like {np}
what's | what's the name of this street
wouldn't | the baby wouldn't stop crying
let's | let's have lunch {place}
themselves | the children dressed themselves
you've | you've done a great job
hey | hey can you help me with this box
upon | the cat sat upon the wall
cannot | we cannot wait any longer
haven't | i haven't finished {np} yet
itself | the door closed by itself
couldn't | we couldn't find {np}
whose | whose bag is this
towards | the dog ran towards {person}
aren't | aren't you coming with us
we've | we've lived here for ten years
shall | shall we go for a walk
via | we flew to rome via paris
unless | we will go unless it rains
here's | here's the book you wanted
we'll | we'll meet you {place}
who's | who's coming to the party
whom | to whom did you give {np}
everybody | everybody was happy {place}
you'd | you'd better take an umbrella
shouldn't | you shouldn't eat so much sugar
herself | she taught herself to play the piano
nor | neither he nor his sister came
onto | the boy climbed onto the roof
yours | is this umbrella yours
toward | the ship sailed toward the island
hasn't | the bus hasn't come yet
they'll | they'll be here soon
women's | the women's team won the game
people's | people's homes were near the river
weren't | the shops weren't open on sunday
whenever | call me whenever you like
ourselves | we built the shed ourselves
world's | it is the world's biggest city
it'll | it'll be cold tomorrow
he'd | he'd like to see {np}
anybody | is anybody home
he'll | he'll bring {np} tomorrow
today's | today's news was good
a | a boy and a girl sat on a bench
i | i think i left {np} {place}
it | it was cold so we closed it
at | we met at the station at noon
he | he said he was tired
or | do you want tea or coffee
an | an old man ate an apple
me | please tell me about {np}
who | who wrote this letter
us | {name} invited us to dinner
may | you may sit here if you like
in | the keys are in the drawer
will | it will rain tomorrow
why | why are you so late
while | i read a book while {name} cooked dinner
yes | yes i would like some tea
must | you must finish {np} today
might | it might snow tonight
nothing | there was nothing in the box
someone | someone left {np} {place}
enough | we have enough food for everyone
all | all the children were happy
one | one of the windows was open
up | she picked up the book
out | he went out after dinner
more | can i have more soup please
some | we bought some bread {place}
other | the other shop was closed
any | do you have any questions
very | the water was very cold
even | even the teacher laughed
still | we are still waiting for {person}
many | many people came to the party
down | please sit down {place}
such | it was such a nice day
same | we live on the same street
both | both of my brothers are tall
every | we go swimming every week
another | can i have another cup of tea
under | the dog is under the table
next | the next train leaves at six
each | each child got a present
few | a few people stayed after the show
less | we should spend less money
least | at least nobody was hurt
several | several birds sat on the roof
due | the rent is due next week
whatever | do whatever you want
okay | okay let's go home
sorry | i am sorry about {np}
alone | she lived alone {place}
on | the cup is on the table
as | she works as a teacher {place}
not | it was not my fault
by | the book was written by {name}
but | he was tired but happy
so | it was late so we went home
just | i just saw {person} {place}
about | tell me about your trip
no | there was no milk in the fridge
there | there are three cats in the garden
also | {name} also came to the party
after | we went out after lunch
over | the plane flew over the city
most | most of the houses were old
much | we don't have much time
before | wash your hands before dinner
off | please turn off the light
never | i have never been to {name}'s house
through | we walked through the forest
around | the children ran around the tree
between | the shop is between the bank and the school
always | she always takes the bus
ever | have you ever seen a whale
however | it was late however we kept working
once | i met {person} once
far | the station is not far from here
though | it was cold though the sun was out
almost | we almost missed the train
along | we walked along the river
yeah | yeah that sounds good to me
either | you can take either road
rather | i would rather stay at home
further | we cannot go any further
behind | the garden is behind the house
near | we live near {place}
quite | the film was quite long
above | the lamp hangs above the table
perhaps | perhaps {clause}
below | the kitchen is below my room
throughout | it snowed throughout the night
beyond | the village lies beyond the hills
none | none of the shops were open
thus | the road was closed and thus we were late
otherwise | hurry up otherwise we will miss the bus
therefore | it was raining and therefore we stayed in
closer | come closer so i can see you
besides | who came besides {name}
kinda | i kinda like this song
somewhat | the soup was somewhat salty
somehow | somehow we got home before dark
meanwhile | meanwhile {clause}
well | she sings very well
right | turn right at the corner
be | it will be sunny tomorrow
have | i have two brothers and a sister
can | can you help me with {np}
do | do you like {np}
like | she looks like her mother
let | let me carry {np}
please | please close the door
own | they have their own house now
deal | we can deal with {np} later
except | everyone came except {name}
thanks | thanks for {np}
sir | excuse me sir is this your bag
worth | the trip was worth the money
half | we waited for half an hour
million | a million people live in this city
two | {name} has two dogs
three | we stayed there for three days
four | the table has four legs
five | it is five minutes to six
six | we got up at six
seven | the shop opens at seven
is | {name} is my best friend
was | it was a long day
has | she has a red bike
does | does this bus go to the station
are | where are my glasses
were | we were at home all day
had | we had a nice time {place}
been | i have been there twice
did | did you see {person}
am | i am hungry
only | there was only one apple left
within | the parcel will arrive within two days
ago | we moved here three years ago
across | the bank is across the street from the school
longer | the new bridge is longer than the old one
maybe | maybe we should ask {person}
zealand | my cousin lives in new zealand
approximately | the trip took approximately two hours
widely | the story was widely known in the village
his | his father fixed his bike
i'd | i'd like a glass of water please
they've | they've moved to a bigger house
""")

# Roles (see everyday.ROLES) where the WordNet guess is wrong for everyday use.
ROLE_OVERRIDES = dict(
    item.split(":")
    for item in _words("""
    biggest:a largest:a highest:a easier:a harder:a stronger:a better:a free:a perfect:a cool:a
    lower:a clear:a white:a latin:a whole:a best:a red:a blue:a green:a black:a
    facebook:m youtube:m william:m obama:m chris:m richard:m joe:m steve:m tony:m alex:m jim:m
    kim:m ryan:m kevin:m dan:m tim:m eric:m james:m harry:m bob:m march:m
    app:n south:n north:n west:n east:n moon:n crown:n marine:n earth:n lord:n congress:n
    jersey:n kid:n square:n institute:n sub:n women:p laws:p windows:p daily:e
    centre:n bible:n american:a english:a british:a european:a chinese:a russian:a german:a
    australian:a japanese:a spanish:a republican:a asian:a scottish:a italian:a irish:a
    korean:a greek:a catholic:a muslim:a pacific:a french:a
    extremely:x relatively:x particularly:x highly:x slightly:x fairly:x totally:x
    completely:x absolutely:x truly:x entirely:x perfectly:x significantly:x really:x
    """)
)
