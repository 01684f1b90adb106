"""Closed word lists the recogniser and resolver use as context.

General English knowledge only (titles, given names, calendar words, the
words organisations, streets and ships are named with). Nothing here comes
from an evaluation corpus. All entries are lower-case lookup forms without
full stops (as :func:`gazetteer.normalize` produces them).
"""
from __future__ import annotations

__all__ = [
    "CONNECTORS",
    "CALENDAR",
    "STOP_NAMES",
    "TITLES",
    "GIVEN_NAMES",
    "ORG_WORDS",
    "STREET_WORDS",
    "SHIP_PREFIXES",
    "SHIP_NOUNS",
    "SPEECH_VERBS",
    "LOCATIVE_PREPS",
    "FEATURE_SUFFIXES",
    "FEATURE_PREFIXES",
    "ADMIN_SUFFIXES",
    "DIRECTION_WORDS",
    "FUNCTION_WORDS",
]


def _words(block: str) -> frozenset[str]:
    return frozenset(w.strip().lower() for w in block.split() if w.strip())


#: Lower-case words allowed inside (never first or last in) a multiword name:
#: "Rio de Janeiro", "Isle of Man", "Stratford-upon-Avon", "Trinidad and Tobago".
CONNECTORS = _words("""
    de del della dei degli di da das dos do du des la le les el al en y e i
    of the and upon on sur sous am an im in der den dem zu von van ter ten
    bin ibn au aux sul sobre
""")

#: Months and weekdays (and their usual abbreviations): never places in prose.
CALENDAR = _words("""
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    monday tuesday wednesday thursday friday saturday sunday
    mon tue tues wed thu thur thurs fri sat sun
    christmas easter thanksgiving halloween ramadan
""")

#: Capitalised words of news prose that also happen to name some small town or
#: appear as alternate names in the gazetteer. Single-token matches on these are
#: dropped; multiword names containing them ("Police Lake") are unaffected.
_STOP_BASE = CALENDAR | _words("""
    a an the this that these those it its he she we they you i me my our your his her their
    us him them who what when where why how which there here then now today tonight
    yesterday tomorrow yes no not all any some many much more most other such only
    also just even still very well so as at by for from in into of off on onto out over
    under up down with without within about after before again against between through
    during until while if or and but nor because since though although unless whether
    be is are was were been being am do does did done have has had having can could
    will would shall should may might must
    one two three four five six seven eight nine ten hundred thousand million billion
    first second third last next new old good best great big little small long high
    police sheriff center centre council court city town county state states village
    office department agency ministry government university college school church hospital
    union national international federal public general royal republic democratic
    north south east west northern southern eastern western central middle upper lower
    mr mrs ms dr sir lord lady king queen prince princess president governor mayor
    man men woman women people person family home house hope faith grace mercy unity
    liberty justice freedom independence victory peace love joy glory charity
    god jesus christ lord allah church bible
    army navy air force marine marines guard
    news times post herald journal tribune press daily weekly gazette
    page story photo video report reports update updates
    company bank market trade money business
    fire water rain snow ice wind storm flood
    gold silver iron steel oil gas coal power energy
    sun moon star stars earth world
    spring summer autumn fall winter
    morning afternoon evening night midnight noon
    union
    best worst free open closed
    black white red green blue brown gray grey orange pink purple yellow
    ok okay hello hi bye sorry please thanks thank welcome
    however meanwhile moreover therefore thus hence indeed instead otherwise
    according said says told added
    like unlike among amid via per plus
    early late soon later ago
    chief officer officials official spokesman spokeswoman director
    commission committee board party club team league
    island lake river mountain mount valley bay beach park forest desert sea ocean
    street road avenue drive lane way boulevard highway route
    health care medical science research education services service
    senate congress parliament assembly cabinet
    war battle attack attacks
    ltd inc corp co llc plc
    man woman boy girl baby child children
    time times day days week weeks month months year years
    case cases
    don don't won't can't isn't
    to olympic olympics section pack leader commerce law human humans junior senior
    christian christians democrat democrats republican republicans metro rodeo titan
    continental ridge northeast northwest southeast southwest
    ford toyota honda dodge chevrolet chevy nissan mazda subaru hyundai jeep buick
    cadillac chrysler pontiac mercedes volvo audi bmw kia walmart wal mart target
    hamas hezbollah hizbollah fatah taliban
    tv radio internet web online email
    passover hanukkah kwanzaa diwali eid
    patrol chamber airport area marshal duma interior dow panther panthers
    lot suite apt unit room box gate pier exit terminal platform track building floor
""")

#: Words that introduce a person's name: "Mr. Austin", "Sen. Warner", "President Lincoln".
TITLES = _words("""
    mr mrs ms miss mx dr prof professor sir dame lord lady
    sen senator rep representative congressman congresswoman gov governor lt gen general
    col colonel maj major capt captain sgt sergeant cpl corporal pvt private adm admiral
    cmdr commander lieutenant officer deputy sheriff det detective trooper patrolman
    chief judge justice attorney coach pastor rev reverend father fr sister brother bishop
    rabbi imam cardinal pope president vice secretary minister premier chancellor
    prime king queen prince princess duke duchess emperor mayor councilman councilwoman
    councillor councilor commissioner superintendent principal dean chairman chairwoman
    chair ceo spokesman spokeswoman ambassador envoy
    director manager executive administrator coordinator spokesperson analyst researcher
    doctor nurse editor reporter correspondent founder owner treasurer clerk supervisor
    inspector constable const agent lawyer ranger pilot
    sheikh sheik ayatollah mullah
""")

#: Common given names (English-language news); a capitalised token right after one
#: of these is a surname ("Lloyd Austin"), and one of these followed by a capitalised
#: non-place token is a person ("Paris Hilton").
GIVEN_NAMES = _words("""
    aaron adam adrian alan albert alex alexander alfred alice alicia allen alison amanda amber
    amy andrea andrew andy angela ann anna anne annie anthony antonio april arthur ashley
    austin barbara barry ben benjamin beth betty beverly bill billy bob bobby bonnie brad
    bradley brandon brenda brett brian brittany bruce bryan carl carla carlos carol caroline
    carolyn catherine charles charlie charlotte cheryl chris christian christina christine
    christopher cindy claire clarence craig crystal curtis cynthia dale dan dana daniel danny
    darlene darren dave david dawn dean deborah debbie debra dennis derek diana diane dianne
    dolores don donald donna doris dorothy doug douglas dustin dylan earl ed eddie edward
    elaine eleanor elizabeth ellen emily emma eric erica erik ernest eugene evan evelyn
    frances francis frank fred frederick gail gary gene george gerald gloria gordon grace
    greg gregory hannah harold harry heather helen henry herbert holly howard ian irene
    isaac jack jacob jacqueline jake james jamie jane janet janice jared jason jean jeff
    jeffrey jennifer jeremy jerry jesse jessica jill jim jimmy jo joan joann joe joel john
    johnny jon jonathan jordan jose joseph josh joshua joyce juan judith judy julia julie
    justin karen kate katherine kathleen kathryn kathy katie keith kelly ken kenneth kevin
    kim kimberly kristen kurt kyle larry laura lauren lawrence lee leonard leslie linda lisa
    lloyd lois lori louis louise lucy luis lynn marc margaret maria marie marilyn
    mario mark martha martin marvin mary matt matthew megan melissa michael michelle mike
    mildred mitchell monica nancy nathan nicholas nick nicole norma norman pamela pat patricia
    patrick paul paula peggy peter phil philip phillip phyllis rachel ralph randy ray raymond
    rebecca richard rick ricky rita rob robert robin rodney roger ron ronald rose roy ruby
    russell ruth ryan sally sam samantha samuel sandra sara sarah scott sean shannon sharon
    shawn sheila shirley stacy stephanie stephen steve steven sue susan tammy teresa terry
    theresa thomas tim timothy tina todd tom tommy tony tracy travis troy tyler valerie
    vanessa vernon veronica vicki victor vincent walter wanda wayne wendy
    william willie zachary
    hillary barack joe kamala mitt newt rudy condoleezza colin dick nancy harry chuck
    vladimir dmitry dmitri sergei sergey mikhail boris igor ivan nikolai alexei yuri
    mahmoud mohammed muhammad mohamed ahmed ahmad ali hassan hussein omar abdul abdullah
    ehud benjamin shimon yitzhak ariel avigdor tzipi
    angela nicolas emmanuel francois jacques gordon tony theresa
    xi hu wen li kim moon shin park lee
    abraham abe al alvin andre angel archie arnold barney benny bernard bert bobbie brent
    brooke bud buddy calvin cameron carly casey cecil chad chester chip clay cliff clifford
    clint clyde cody connie cory dallas darrell dave dewey dick don doug drew duane dwight
    earl eli elijah ella ellis elmer emmett ernie ethan felix floyd forrest gabriel garrett
    gavin gil glen glenn grady grant hal hank harvey herb herman homer hugh ira irving
    jackie jan jay jeanne jeff jenny jerome jess jimmie joan joanne jodie joey johnnie jose
    josephine julian julius kay kenny kent kirk lance lane larry leo leon leroy lester lionel
    lonnie lou lowell luke lyle mack marcus marion marshall marty maurice max melvin merle
    mickey miles milton mitch mitchell molly morgan morris murray myron nat ned neil nelson
    noah norm olive oliver orville oscar otis owen percy pete quentin randall reggie rex
    rhonda rich riley rocky rod roland roscoe ross rudy russ sammy sandy seth sherman sid
    sonny stan stanley stuart sylvia ted teddy terrence tex theo thelma toby trent trey
    vern vince virgil wade wallace walt ward warren wes wesley wilbur will willard willis
    wilson woody zach taylor
    kristina kristin krista hailey haley kayla kaitlyn brittney courtney chelsea whitney
    tiffany heidi holly jenna jill joy kara kari kelsey kristy lacey leah lindsay lindsey
    mandy marcia marsha meredith misty nadia natalie paige peggy penny sabrina shelby stacey
    tara tonya tracey trisha wilma yvonne
    paris chad florence lincoln tyrone
    lorraine loretta lucille marjorie pauline rosemary vera agnes beatrice bernice clara edna
    ethel gladys hazel ida irma juanita mabel marian myrtle nellie opal pearl vivian arlene
    bertha carmen cecilia colleen constance daisy della eileen elsie estelle faye geraldine
    gwendolyn harriet henrietta jeanette jeannette juliet leona lillian maxine minnie muriel
    olga rosa roxanne stella tamara velma viola angelo boyd bradford conrad cornelius delbert
    dominic edgar edmund everett franklin gilbert harlan horace hubert jasper lamar luther
    nathaniel neal norbert randolph reginald roderick rudolph rufus sidney sylvester theodore
    thurman wendell winston
""")

#: Last words of organisation names. A place right before one of these is still
#: annotated as a place by the usual convention ("Springfield Police Department"),
#: but the org word itself is never a place, and a place-like name followed by one
#: is not a person ("Georgia Power").
ORG_WORDS = _words("""
    agency ministry university college institute school academy department dept office
    bureau police sheriff council committee commission board authority association
    society foundation fund trust party union league federation corporation corp inc
    incorporated co company ltd llc plc group bank holdings partners airlines airways
    times post news herald journal tribune gazette daily weekly press review observer
    chronicle telegraph independent guardian mirror sun star courier examiner register
    inquirer sentinel dispatch record globe standard bulletin mail express radio tv
    television network broadcasting channel hospital clinic center centre church cathedral
    mosque temple synagogue museum library zoo stadium arena airport station port
    court courthouse jail prison detention army navy force forces guard patrol fleet
    corps brigade regiment division command government administration parliament
    assembly senate congress legislature cabinet state tech power energy electric
    gas water utilities railway railroad transit authority chamber club team fc
    united city rangers giants defense defence health public community regional
    medical memorial high elementary middle unified district fire rescue emergency
    national international federal republican democratic democrats republicans
    times-dispatch herald-leader post-gazette
""")

#: Street-type words: "Leeds Road" is a street, not Leeds.
STREET_WORDS = _words("""
    street st road rd avenue ave av drive dr lane ln boulevard blvd way parkway pkwy
    pike highway hwy court ct place pl terrace ter circle cir trail trl square sq
    crescent close alley expressway freeway turnpike bypass
""")

#: Ship-name prefixes and the nouns that introduce a vessel's name.
SHIP_PREFIXES = _words("uss hms hmas hmcs hmnzs ins roks rfs usns usnsv mv ss rms jds")
SHIP_NOUNS = _words("""
    submarine sub carrier destroyer frigate cruiser battleship warship ship vessel boat
    tanker freighter ferry yacht liner corvette trawler steamer schooner
""")

#: Verbs of a person's life and deeds ("Whitfield died", "Harlow went"): after a name
#: that is no major place, it is a person's name for the whole article.
PERSON_VERBS = _words("""
    died dies served serves went testified testifies pleaded pleads pled admitted admits
    resigned resigns married graduated retired retires worked lived smiled laughed
    recalled recalls shot stabbed allegedly reportedly himself herself
""")

#: Lower-case words that follow a town's name in local news ("Hartley couple",
#: "Marion city officials", "Shelby area"): the name is a place there.
LOCAL_NOUNS = _words("""
    city county town village township area region residents resident native natives man
    woman men women couple teen teens boy girl family families police officials officers
    council mayor sheriff firefighters schools students voters businesses neighborhood
    neighbourhood community policemen policeman firefighter district province governorate
    prefecture municipality lake lakes river coast
""")

#: After a people's word, nouns that make it a language, a cuisine or an ancestry
#: ("English language classes", "Thai food", "Polish heritage"), not a place mention.
LANGUAGE_NOUNS = _words("""
    language languages speaking speakers speaker class classes teacher teachers lesson
    lessons course courses students translation translator translators subtitles dialect
    accent food foods cuisine restaurant restaurants grill pub cafe bakery fries toast
    dressing songs song music heritage descent ancestry community communities themed
""")
#: Before a people's word, verbs that make it a language ("spoke only German").
LANGUAGE_VERBS = _words("""
    speak speaks spoke spoken speaking learn learns learned learnt learning teach teaches
    taught study studies studied translated fluent
""")

#: The surest of those: a town's police, officials of its own and its people.
LOCAL_PEOPLE = _words("""
    police officers council mayor sheriff firefighters residents resident native man woman
    couple teen boy girl family
""")

#: Words that introduce a storm's given name ("Typhoon Haiyan", "Hurricane Katrina"):
#: neither the word (Hurricane, Utah) nor the name (Haiyan, Qinghai) is a place there.
STORM_WORDS = _words("hurricane typhoon cyclone storm")

#: Verbs of saying and deciding: a person, or a place used for its government
#: ("Washington said").
SPEECH_VERBS = _words("""
    said says say told tells added adds noted notes explained explains argued argues
    stated states wrote writes announced announces warned warns insisted insists
    claimed claims denied denies urged urges asked asks called calls vowed vows
    emphasized emphasizes emphasised emphasises stressed stresses signaled signals
    signalled accused accuses condemned condemns rejected rejects demanded demands
    threatened threatens agreed agrees decided decides pledged pledges welcomed welcomes
    criticized criticizes criticised criticises responded responds reiterated reiterates
    believes believed wants wanted hopes hoped insisted declared declares confirmed
    confirms promised promises refused refuses opposes opposed supports supported
    disparaged disparages dismissed dismisses sanctioned sanctions imposed imposes
    recognized recognizes recognised recognises announced expelled expels
""")

#: Prepositions that make the following name locative ("in Austin").
LOCATIVE_PREPS = _words("""
    in at near from to into toward towards outside inside across around throughout
    within via through between downtown north south east west of
""")

#: Generic feature words that make a physical feature or admin unit from a name.
FEATURE_SUFFIXES = _words("""
    river creek lake bay island islands mountain mountains mount hills valley canyon
    peninsula gulf sea ocean strait channel desert forest park falls harbor harbour
    beach coast reservoir springs sound basin plateau range
""")
FEATURE_PREFIXES = _words("lake mount mt gulf bay isle cape port fort ft lake")

#: Admin-unit words: "Laurel County" is an ADM2, "Acadia Parish" too.
ADMIN_SUFFIXES = _words("""
    county parish borough township twp province prefecture district region oblast
    governorate state territory municipality shire canton department
""")

#: Qualifiers that may precede a place name without making it a person.
DIRECTION_WORDS = _words("""
    north south east west northern southern eastern western central northeast northwest
    southeast southwest northeastern northwestern southeastern southwestern upper lower
    greater inner outer downtown metro metropolitan rural suburban coastal new old
""")

#: All-caps words that are English, not codes ("IT", "OR" in a shouted headline).
FUNCTION_WORDS = _words("""
    a an the and or but if in on at to of for by as is it be we he she me my up so no
    do go ok oh am are was can may not all any has had his her its our out new one two
    man men who why how now off per via yes
""")


#: Single-token matches on any of these are dropped (see ``_STOP_BASE``).
#: Peoples, faiths and communities spelt like small places ("Arab" in Alabama, "Christian"
#: County, "Baptist"): the group, not the place, in news prose.  Names that are also
#: major places (Latina, Roma, Kikuyu) are not listed.
GROUP_WORDS = _words("""
    arab arabs kurd christian christians muslim muslims jew jews hindu sikh buddhist
    hispanic latino berber berbers bedouin ismaili ismailis druze alawite maronite copt
    gypsy gypsies igbo hausa yoruba fulani mormon mormons baptist baptists methodist
    lutheran anglican catholic protestant evangelical amish shiite sunni
""")

STOP_NAMES = _STOP_BASE | ORG_WORDS | STREET_WORDS | GROUP_WORDS
