"""Build datasets/behaviour/suite.jsonl: the behaviour test suite (CheckList style), never used for training.

Pure python and deterministic: `python datasets/behaviour/build_suite.py` rewrites suite.jsonl byte for byte.

Sentences are written with every actor mention in square brackets ("[Tehran] accused [Baku] of ..."); the brackets
are removed and the character offsets computed here, never typed. A case names its holder and target by the
bracketed surface ("Tehran"), by "surface#k" for the k-th mention with that surface, or holds `None` as holder for a
sentiment (portrayal) record. Labels follow datasets/ir-corpus/GUIDELINES.md; see README.md for the judgement calls.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SUITE = HERE / "suite.jsonl"

CAPABILITIES = (
    "negation", "conflict_nouns", "demonym_holder", "accusation_direction", "reported_speech", "hedges",
    "co_mention", "actions", "leaders_capitals", "portrayal_vs_stance", "invariance", "direction",
)
STANCES = ("neutral", "supportive", "hostile")
SENTIMENTS = ("negative", "neutral", "positive")

MARK = re.compile(r"\[([^\[\]]+)\]")

# A labelled record: (holder ref or None, target ref, label) or the same with a note as fourth item.
Pair = tuple[Any, ...]


@dataclass(frozen=True)
class Sentence:
    marked: str
    pairs: tuple[Pair, ...]
    note: str | None = None


def S(marked: str, *pairs: Pair, note: str | None = None) -> Sentence:
    return Sentence(marked, pairs, note)


# ---------------------------------------------------------------------------------------------------------------------
# Hand-written sentences per capability
# ---------------------------------------------------------------------------------------------------------------------

NEGATION = [
    S("[India] refrained from condemning [Russia] at the General Assembly, calling instead for dialogue.",
      ("India", "Russia", "neutral"), (None, "Russia", "neutral"),
      note="refrained from: a withheld stance is neutral (5.2 step 3); nobody reproaches Russia"),
    S("[Egypt] did not sever its ties with [Qatar] during the Gulf dispute, though relations cooled sharply.",
      ("Egypt", "Qatar", "neutral"),
      note="a withheld hostile act is not support: negated, so neutral (5.2 step 3)"),
    S("[Turkey] stopped short of criticising [China] over the detention camps in Xinjiang.",
      ("Turkey", "China", "neutral")),
    S("[Brazil] declined to join the sanctions on [Russia], saying they hurt developing economies.",
      ("Brazil", "Russia", "neutral")),
    S("[Serbia] still refuses to recognise [Kosovo] as an independent state.",
      ("Serbia", "Kosovo", "hostile"), ("Kosovo", "Serbia", "neutral"),
      note="refusing to recognise is the hostile exception to negation (5.2 step 3)"),
    S("[Spain] has not recognised [Kosovo] either, wary of separatist movements at home.",
      ("Spain", "Kosovo", "neutral"), note="'has not recognised' as a fact is neutral (5.3 Recognition)"),
    S("[Berlin] turned down [Kyiv]'s request for long-range cruise missiles.",
      ("Berlin", "Kyiv", "hostile"), ("Kyiv", "Berlin", "neutral"), (None, "Kyiv", "neutral"),
      note="rejecting T's request is hostile; the requester holds no stance and is not reproached"),
    S("[Japan] did not hesitate to back the [Philippines] after the collision near Second Thomas Shoal.",
      ("Japan", "Philippines", "supportive"), note="'did not hesitate to' asserts the backing"),
    S("[Washington] has never wavered in its support for [Taipei].",
      ("Washington", "Taipei", "supportive"), note="'never wavered in its support' asserts support"),
    S("[Mali] no longer cooperates with [France] on counter-terrorism operations.",
      ("Mali", "France", "neutral"), note="'no longer' is neutral unless framed as opposition"),
    S("[Niger] broke with [France] last year and ordered its troops to leave the country.",
      ("Niger", "France", "hostile"), ("France", "Niger", "neutral"),
      note="'broke with' is the hostile exception; ordering troops out is a demand to withdraw"),
    S("[Rwanda] denied backing the [M23] rebels fighting in eastern Congo.",
      ("Rwanda", "M23", "neutral"), note="a bare denial is neutral"),
    S("[Indonesia] has no diplomatic relations with [Israel].",
      ("Indonesia", "Israel", "neutral"), ("Israel", "Indonesia", "neutral")),
    S("[Israel] held off on retaliating against [Iran] after the missile barrage.",
      ("Israel", "Iran", "neutral")),
    S("[Greece] rejected [Turkey]'s proposal for joint gas exploration in the Aegean.",
      ("Greece", "Turkey", "hostile"), ("Turkey", "Greece", "neutral"), (None, "Turkey", "neutral"),
      note="rejecting T's proposal is hostile; proposing is no stance"),
    S("Far from backing [Tehran], [Riyadh] warned it against any further escalation.",
      ("Riyadh", "Tehran", "hostile"), ("Tehran", "Riyadh", "neutral"),
      note="the negated backing is not the stance; the warning is"),
    S("The [African Union] declined to suspend [Chad] after the military takeover.",
      ("African Union", "Chad", "neutral")),
    S("[ECOWAS] suspended [Guinea] after the coup and imposed sanctions on the junta.",
      ("ECOWAS", "Guinea", "hostile"), (None, "Guinea", "negative")),
    S("[Norway] did not hesitate to condemn [Iran]'s execution of protesters.",
      ("Norway", "Iran", "hostile"), (None, "Iran", "negative")),
    S("[Turkey] refrained from condemning [Israel] in its first statement on the crisis.",
      ("Turkey", "Israel", "neutral"), (None, "Israel", "neutral")),
    S("[Seoul] refused to lift its sanctions on [Pyongyang] despite the overture.",
      ("Seoul", "Pyongyang", "hostile"), note="refusing to lift sanctions is hostile (5.3 Sanctions)"),
    S("[Canberra] did not merely criticise [Beijing]'s trade curbs; it took the dispute to the [WTO].",
      ("Canberra", "Beijing", "hostile"), ("Canberra", "WTO", "neutral")),
    S("[Kazakhstan] has never recognised the annexation of Crimea by [Russia].",
      ("Kazakhstan", "Russia", "neutral")),
    S("[Manila] refused to back down despite mounting pressure from [Beijing].",
      ("Beijing", "Manila", "hostile"),
      note="pressure is hostile (5.3 Pressure); the negation belongs to the other actor's clause"),
    S("[Hungary] did not veto the [EU]'s new sanctions package against [Russia], choosing to abstain.",
      ("Hungary", "EU", "neutral"), ("Hungary", "Russia", "neutral"), ("EU", "Russia", "hostile")),
    S("[Pakistan] has yet to condemn the [Taliban]'s ban on girls' secondary education.",
      ("Pakistan", "Taliban", "neutral")),
    S("[Vietnam] abstained rather than vote to condemn [Russia].",
      ("Vietnam", "Russia", "neutral")),
    S("[Moldova] rejected [Moscow]'s offer of discounted gas, saying it came with political strings.",
      ("Moldova", "Moscow", "hostile")),
    S("[Washington] said it would not abandon [Kyiv], whatever the outcome of the talks.",
      ("Washington", "Kyiv", "supportive"), note="a pledge of continued support, not a withheld act"),
    S("[Qatar] has not expelled [Hamas]'s political leaders despite [American] pressure.",
      ("Qatar", "Hamas", "neutral"), ("American", "Qatar", "hostile")),
    S("[Israel] rejected [Hamas]'s ceasefire proposal, while [Egypt] declined to take sides.",
      ("Israel", "Hamas", "hostile"), ("Egypt", "Israel", "neutral"), ("Egypt", "Hamas", "neutral")),
    S("[Armenia] did not attend the [CSTO] summit, and [Yerevan] later froze its participation in the bloc.",
      ("Yerevan", "CSTO", "hostile"), note="suspending membership is hostile (5.3 Membership)"),
    S("[China] neither condemned nor endorsed [Russia]'s invasion of [Ukraine].",
      ("China", "Russia", "neutral"), ("Russia", "Ukraine", "hostile"), (None, "Russia", "negative"),
      note="the invasion is asserted as a noun phrase (E1) and shows Russia as aggressor"),
]

CONFLICT_NOUNS = [
    S("Hostilities between [Israel] and [Hezbollah] resumed after a two-month lull.",
      ("Israel", "Hezbollah", "hostile"), ("Hezbollah", "Israel", "hostile"), (None, "Hezbollah", "neutral"),
      note="hostilities between X and Y state fighting by both; military action in plain words portrays nobody"),
    S("Fighting between [Sudan]'s army and the [RSF] has displaced millions of people.",
      ("Sudan", "RSF", "hostile"), ("RSF", "Sudan", "hostile"), (None, "RSF", "neutral")),
    S("Clashes between [Armenian] and [Azerbaijani] forces killed 15 soldiers on the border.",
      ("Armenian", "Azerbaijani", "hostile"), ("Azerbaijani", "Armenian", "hostile")),
    S("The war between [Russia] and [Ukraine] has entered its fourth year.",
      ("Russia", "Ukraine", "hostile"), ("Ukraine", "Russia", "hostile"),
      note="'the war between X and Y' is labelled hostile both ways in the IR corpus gold"),
    S("The [Russia]-[Ukraine] war has pushed up grain prices across Africa.",
      ("Russia", "Ukraine", "hostile"), ("Ukraine", "Russia", "hostile"), (None, "Russia", "neutral"),
      note="a war named with its two parties is hostile both ways (5.3 Attacks and territory, revised)"),
    S("The [Israel]-[Hamas] war dominated the talks at the summit.",
      ("Israel", "Hamas", "hostile"), ("Hamas", "Israel", "hostile"),
      note="a war named with its two parties is hostile both ways (5.3 Attacks and territory, revised)"),
    S("Tensions between [Islamabad] and [New Delhi] have eased since the spring.",
      ("Islamabad", "New Delhi", "neutral"), ("New Delhi", "Islamabad", "neutral"),
      note="tension as a state of affairs states no act (5.3 Relationships)"),
    S("[Algeria]'s long rivalry with [Morocco] has kept their border closed since 1994.",
      ("Algeria", "Morocco", "neutral"), ("Morocco", "Algeria", "neutral"),
      note="rivalry named as a state of affairs: neutral"),
    S("A ceasefire between [Armenia] and [Azerbaijan] took effect at midnight.",
      ("Armenia", "Azerbaijan", "supportive"), ("Azerbaijan", "Armenia", "supportive"),
      note="an agreement the parties reach is supportive both ways (5.3 Mediation)"),
    S("The defence pact between [Saudi Arabia] and [Pakistan] commits each to come to the other's aid.",
      ("Saudi Arabia", "Pakistan", "supportive"), ("Pakistan", "Saudi Arabia", "supportive")),
    S("Border skirmishes between [Indian] and [Chinese] troops in the Galwan valley left 20 soldiers dead.",
      ("Indian", "Chinese", "hostile"), ("Chinese", "Indian", "hostile")),
    S("The [U.S.]-[China] trade war has hit soybean farmers hardest.",
      ("U.S.", "China", "hostile"), ("China", "U.S.", "hostile"), note="a war named with its two parties is hostile both ways (5.3 Attacks and territory, revised)"),
    S("Rivalry between [Saudi Arabia] and [Iran] has shaped politics across the Gulf for decades.",
      ("Saudi Arabia", "Iran", "neutral"), ("Iran", "Saudi Arabia", "neutral")),
    S("Renewed shelling between [Thai] and [Cambodian] troops forced thousands of villagers to flee.",
      ("Thai", "Cambodian", "hostile"), ("Cambodian", "Thai", "hostile")),
    S("The standoff between [Serbia] and [Kosovo] over vehicle licence plates has eased.",
      ("Serbia", "Kosovo", "neutral"), ("Kosovo", "Serbia", "neutral"),
      note="a standoff named as a state of affairs, like a tension: neutral"),
    S("Exchanges of fire between [Pakistani] and [Afghan] border forces continued overnight.",
      ("Pakistani", "Afghan", "hostile"), ("Afghan", "Pakistani", "hostile")),
    S("The [Iran]-[Iraq] war killed hundreds of thousands of people in the 1980s.",
      ("Iran", "Iraq", "hostile"), ("Iraq", "Iran", "hostile"), note="a war named with its two parties is hostile both ways (5.3 Attacks and territory, revised)"),
    S("[Rwanda]'s feud with [Burundi] has kept the border crossings shut for months.",
      ("Rwanda", "Burundi", "neutral"), ("Burundi", "Rwanda", "neutral")),
    S("The military alliance between [Russia] and [Belarus] has deepened since 2022.",
      ("Russia", "Belarus", "supportive"), ("Belarus", "Russia", "supportive"),
      note="an alliance is 'allies with' both ways"),
    S("Clashes between [al-Shabaab] fighters and [Kenyan] troops near the border killed nine people.",
      ("al-Shabaab", "Kenyan", "hostile"), ("Kenyan", "al-Shabaab", "hostile"), (None, "al-Shabaab", "neutral")),
    S("A cessation of hostilities between [Ethiopia] and the [TPLF] was signed in Pretoria.",
      ("Ethiopia", "TPLF", "supportive"), ("TPLF", "Ethiopia", "supportive"),
      note="the noun names an agreement the parties signed, not fighting"),
    S("Decades of conflict between [Turkey] and the [PKK] have killed more than 40,000 people.",
      ("Turkey", "PKK", "hostile"), ("PKK", "Turkey", "hostile"),
      note="a conflict between X and Y states fighting by both, like 'the war between'"),
]

DEMONYM_HOLDER = [
    S("[Iranian] threats against [Israel] have grown louder since the strike.",
      ("Iranian", "Israel", "hostile"), ("Israel", "Iranian", "neutral"), (None, "Israel", "negative"),
      note="the demonym qualifies the state's threats: Iran holds them; the threatened actor is negative"),
    S("[Russia]'s retaliation against [Ukraine] came within hours.",
      ("Russia", "Ukraine", "hostile"), ("Ukraine", "Russia", "neutral")),
    S("[Israeli] strikes on [Hezbollah] positions intensified overnight.",
      ("Israeli", "Hezbollah", "hostile"), ("Hezbollah", "Israeli", "neutral")),
    S("[Chinese] aid to [Cambodia] has funded a new pier at the Ream naval base.",
      ("Chinese", "Cambodia", "supportive"), ("Cambodia", "Chinese", "neutral"), (None, "Cambodia", "neutral")),
    S("[American] sanctions on [Venezuela]'s oil sector have cut its exports by half.",
      ("American", "Venezuela", "hostile"), ("Venezuela", "American", "neutral"), (None, "Venezuela", "negative")),
    S("[Pakistani] shelling of [Afghan] border posts killed four soldiers.",
      ("Pakistani", "Afghan", "hostile"), ("Afghan", "Pakistani", "neutral")),
    S("[Indian] praise for [Bangladesh]'s handling of the floods drew attention in Dhaka.",
      ("Indian", "Bangladesh", "supportive"), (None, "Bangladesh", "positive")),
    S("A $3 billion [Saudi] deposit helped shore up [Pakistan]'s foreign reserves.",
      ("Saudi", "Pakistan", "supportive"), ("Pakistan", "Saudi", "neutral"), (None, "Pakistan", "neutral")),
    S("The [Houthis]' attacks on [Saudi] oil facilities halved the kingdom's output.",
      ("Houthis", "Saudi", "hostile"), ("Saudi", "Houthis", "neutral")),
    S("[Hamas]'s rocket fire into southern [Israel] triggered sirens in Tel Aviv.",
      ("Hamas", "Israel", "hostile"), ("Israel", "Hamas", "neutral")),
    S("[Russian] missile strikes on [Ukrainian] power plants left millions without heating.",
      ("Russian", "Ukrainian", "hostile"), ("Ukrainian", "Russian", "neutral")),
    S("[Beijing]'s warnings to [Manila] over the shoal have become almost routine.",
      ("Beijing", "Manila", "hostile"), ("Manila", "Beijing", "neutral")),
    S("[Japanese] loans to [Indonesia] will finance the next phase of the Jakarta metro.",
      ("Japanese", "Indonesia", "supportive"), ("Indonesia", "Japanese", "neutral")),
    S("[North Korean] troops fought alongside [Russian] forces to retake the Kursk region.",
      ("North Korean", "Russian", "supportive"), ("Russian", "North Korean", "supportive"),
      note="stated participation in a joint operation is cooperation both ways"),
    S("The shelling of [Ukraine]'s Kharkiv region by [Russian] artillery continued into the night.",
      ("Russian", "Ukraine", "hostile"), ("Ukraine", "Russian", "neutral"),
      note="the possessor is the target, the demonym after 'by' the holder"),
    S("[Moscow]'s backing of [Assad] kept him in power for a decade.",
      ("Moscow", "Assad", "supportive"), ("Assad", "Moscow", "neutral")),
    S("[Egyptian] mediation between [Israel] and [Hamas] produced a brief pause in the fighting.",
      ("Egyptian", "Israel", "neutral"), ("Egyptian", "Hamas", "neutral"), (None, "Egyptian", "positive"),
      note="mediation takes no side and is peacemaking"),
    S("[Ukrainian] drones struck an oil refinery in [Russia]'s Samara region.",
      ("Ukrainian", "Russia", "hostile"), ("Russia", "Ukrainian", "neutral")),
    S("[Iran]'s support for the [Houthis] has drawn repeated [U.S.] strikes on [Yemen].",
      ("Iran", "Houthis", "supportive"), ("Houthis", "Iran", "neutral"), ("U.S.", "Yemen", "hostile")),
    S("A $35 billion [Emirati] investment threw [Egypt] a lifeline during its currency crisis.",
      ("Emirati", "Egypt", "supportive"), (None, "Egypt", "negative"),
      note="money framed as a lifeline is help; the recipient is shown in crisis"),
    S("[British] and [French] jets shot down [Iranian] drones over Jordan.",
      ("British", "Iranian", "hostile"), ("British", "French", "neutral"), ("Iranian", "British", "neutral"),
      note="co-subjects without stated joint action are neutral to each other"),
    S("[Iran]'s talks with the [IAEA] ended without agreement.",
      ("Iran", "IAEA", "neutral"), ("IAEA", "Iran", "neutral")),
]

ACCUSATION_DIRECTION = [
    S("[Tehran] accused [Baku] of siding with [Israel] during the twelve-day war.",
      ("Tehran", "Baku", "hostile"), ("Baku", "Tehran", "neutral"), ("Baku", "Israel", "neutral"),
      ("Tehran", "Israel", "neutral"), (None, "Baku", "negative"), (None, "Israel", "neutral"),
      note="5.3 Claims: the accused's alleged stance is not asserted; the side allegedly sided with is neutral"),
    S("[Kinshasa] accused [Kigali] of arming the [M23] rebels, a charge [Rwanda] denied.",
      ("Kinshasa", "Kigali", "hostile"), ("Kigali", "Kinshasa", "neutral"), ("Kigali", "M23", "neutral"),
      ("Rwanda", "Kinshasa", "neutral"), ("Kinshasa", "M23", "neutral"), (None, "M23", "neutral"),
      note="a bare denial is neutral; the beneficiary of the alleged conduct is not portrayed"),
    S("[Ukraine] accused [Belarus] of hosting [Russian] missile launchers, and [Minsk] dismissed the charge as a lie.",
      ("Ukraine", "Belarus", "hostile"), ("Minsk", "Ukraine", "hostile"), ("Belarus", "Russian", "neutral"),
      note="calling the accuser's claim a lie is hostile (E6)"),
    S("[Israel] blamed [Iran] for the missile attack on Eilat.",
      ("Israel", "Iran", "hostile"), ("Iran", "Israel", "neutral"), (None, "Iran", "negative")),
    S("[Moscow] accused [London] of helping [Kyiv] plan drone strikes on the Crimean bridge.",
      ("Moscow", "London", "hostile"), ("London", "Kyiv", "neutral"), ("Kyiv", "Moscow", "neutral"),
      ("Moscow", "Kyiv", "neutral"), (None, "Kyiv", "negative"),
      note="Kyiv does the conduct the accusation alleges, so it is negative though London is the one accused"),
    S("[China] accused the [United States] of arming [Taiwan] and warned of serious consequences.",
      ("China", "United States", "hostile"), ("United States", "Taiwan", "neutral"),
      ("United States", "China", "neutral")),
    S("[Niamey] accused [Paris] of plotting with [ECOWAS] to topple the new government.",
      ("Niamey", "Paris", "hostile"), ("Paris", "ECOWAS", "neutral"), ("Paris", "Niamey", "neutral")),
    S("[Thailand] and [Cambodia] accused each other of firing first.",
      ("Thailand", "Cambodia", "hostile"), ("Cambodia", "Thailand", "hostile"),
      (None, "Thailand", "negative"), (None, "Cambodia", "negative"),
      note="'accused each other' is hostile both ways"),
    S("[India] accused [Pakistan] of sheltering the militants behind the attack, which [Islamabad] flatly denied.",
      ("India", "Pakistan", "hostile"), ("Islamabad", "India", "neutral"), (None, "Pakistan", "negative")),
    S("[Seoul] accused [Pyongyang] of supplying [Moscow] with millions of artillery shells.",
      ("Seoul", "Pyongyang", "hostile"), ("Pyongyang", "Moscow", "neutral"), ("Moscow", "Pyongyang", "neutral"),
      ("Seoul", "Moscow", "neutral"), (None, "Moscow", "neutral")),
    S("The [European Union] accused [China] of helping [Russia] evade sanctions.",
      ("European Union", "China", "hostile"), ("China", "Russia", "neutral"), ("China", "European Union", "neutral"),
      (None, "China", "negative")),
    S("[Sudan]'s army accused the [UAE] of arming the [RSF], an allegation [Abu Dhabi] rejects.",
      ("Sudan", "UAE", "hostile"), ("UAE", "RSF", "neutral"), ("Abu Dhabi", "Sudan", "neutral"),
      (None, "RSF", "neutral")),
    S("[Venezuela] was accused by [Guyana] of massing troops near the border.",
      ("Guyana", "Venezuela", "hostile"), ("Venezuela", "Guyana", "neutral"), (None, "Venezuela", "negative"),
      note="the agent of a passive holds the stance"),
    S("[Rwanda] has long been accused of backing [M23].",
      ("Rwanda", "M23", "neutral"), (None, "Rwanda", "negative"),
      note="an agentless passive has no holder; the backing exists only inside the accusation"),
    S("[Sergei Lavrov] accused [NATO] of dragging [Moldova] into the conflict.",
      ("Sergei Lavrov", "NATO", "hostile"), ("NATO", "Moldova", "neutral"), (None, "Moldova", "neutral")),
    S("[Pretoria] accused [Israel] of genocide before the [International Court of Justice].",
      ("Pretoria", "Israel", "hostile"), ("Pretoria", "International Court of Justice", "neutral"),
      ("Israel", "Pretoria", "neutral")),
    S("[Hamas] accused [Israel] of stalling the talks, and [Israel] in turn blamed [Hamas] for the delay.",
      ("Hamas#1", "Israel#1", "hostile"), ("Israel#2", "Hamas#2", "hostile")),
    S("[Azerbaijan] accused [France] of arming [Armenia], and [Paris] called the accusation absurd.",
      ("Azerbaijan", "France", "hostile"), ("France", "Armenia", "neutral"), ("Paris", "Azerbaijan", "hostile"),
      ("Armenia", "Azerbaijan", "neutral")),
    S("[Minsk] defended [Moscow] against [Kyiv]'s accusations of war crimes.",
      ("Minsk", "Moscow", "supportive"), ("Kyiv", "Moscow", "hostile"), ("Moscow", "Kyiv", "neutral"),
      ("Minsk", "Kyiv", "neutral"), note="defending the accused is supportive toward it, no stance toward the accuser"),
    S("[Serbia] backed [Hungary] after the [European Commission] accused [Budapest] of breaching EU law.",
      ("Serbia", "Hungary", "supportive"), ("European Commission", "Budapest", "hostile"),
      ("Budapest", "European Commission", "neutral"), ("Serbia", "European Commission", "neutral")),
]

REPORTED_SPEECH = [
    S("[Kassym-Jomart Tokayev] said [China] had been a reliable partner to [Kazakhstan] for three decades.",
      ("Kassym-Jomart Tokayev", "China", "supportive"), ("China", "Kazakhstan", "neutral"),
      ("Kazakhstan", "China", "supportive"), ("Kassym-Jomart Tokayev", "Kazakhstan", "neutral"),
      note="the speaker's praise is his (and his named principal's) stance; China's stance exists only in his words"),
    S("[Kyiv] said [Russia] launched 90 drones at [Ukrainian] cities overnight.",
      ("Kyiv", "Russia", "neutral"), ("Russia", "Ukrainian", "hostile"),
      note="a plain report of acts is no stance of the reporter; a sourced attack is asserted (5.2 source attribution)"),
    S("[Germany] said it would keep supplying air defence systems to [Ukraine] for as long as it takes.",
      ("Germany", "Ukraine", "supportive"), note="a speaker's own stated intention is its stance"),
    S("[Maria Zakharova] said [Moscow] would respond decisively to [Norway]'s decision to open its ports to [NATO] warships.",
      ("Maria Zakharova", "Norway", "hostile"), ("Moscow", "Norway", "hostile"),
      ("Maria Zakharova", "Moscow", "neutral"), ("Norway", "NATO", "supportive"),
      note="a spokeswoman's threat is also her named principal's; hosting allied forces is cooperation (E10)"),
    S("[Erdogan] told reporters that [Israel] must withdraw from [Lebanon] immediately.",
      ("Erdogan", "Israel", "hostile"), ("Israel", "Lebanon", "neutral"), ("Erdogan", "Lebanon", "neutral"),
      note="the demand is the speaker's; the presence it implies is stated only in his words (E21)"),
    S("The [Kremlin] said it fully backed [Beijing]'s position on the island.",
      ("Kremlin", "Beijing", "supportive"), ("Beijing", "Kremlin", "neutral"), (None, "Beijing", "positive")),
    S("[Antony Blinken] said [Washington] stood firmly with [Manila] in the dispute.",
      ("Antony Blinken", "Manila", "supportive"), ("Washington", "Manila", "supportive"),
      ("Antony Blinken", "Washington", "neutral")),
    S("[Sergei Lavrov] said the [United States] was waging a proxy war against [Russia].",
      ("Sergei Lavrov", "United States", "hostile"), ("United States", "Russia", "neutral"),
      ("Sergei Lavrov", "Russia", "neutral"),
      note="a judging claim: hostile toward the accused; the alleged war is not asserted"),
    S("[Qatar] said [Israel] and [Hamas] had agreed to extend the truce by two days.",
      ("Qatar", "Israel", "neutral"), ("Israel", "Hamas", "supportive"), ("Hamas", "Israel", "supportive"),
      note="a plain sourced report of an agreement is asserted (5.2 source attribution)"),
    S("[Kim Jong Un] said [North Korea] would never give up its nuclear weapons and called [Washington] a gangster.",
      ("Kim Jong Un", "Washington", "hostile"), ("North Korea", "Washington", "hostile"),
      ("Kim Jong Un", "North Korea", "neutral"), (None, "Washington", "negative")),
    S("[Pakistan]'s army said [Indian] troops had violated the ceasefire along the Line of Control.",
      ("Pakistan", "Indian", "hostile"), ("Indian", "Pakistan", "neutral"),
      note="'violated' judges the other side: an accusation, hostile; the alleged act is not asserted"),
    S("[Ukraine]'s air force said it shot down 40 of 45 [Russian] drones overnight.",
      ("Ukraine", "Russian", "hostile"), note="the speaker reports its own side's act against T's forces"),
    S("A [Kremlin] spokesman said [Vladimir Putin] was open to talks with [Volodymyr Zelensky].",
      ("Kremlin", "Volodymyr Zelensky", "neutral"), ("Vladimir Putin", "Volodymyr Zelensky", "neutral"),
      ("Kremlin", "Vladimir Putin", "neutral"), note="openness to talks is neutral (5.3 Appeals, Meetings)"),
    S("[Ursula von der Leyen] said the [EU] would never recognise [Russia]'s annexation of Crimea.",
      ("Ursula von der Leyen", "Russia", "hostile"), ("EU", "Russia", "hostile"),
      ("Ursula von der Leyen", "EU", "neutral")),
    S("[Javier Milei] said [Argentina] would seek a free trade agreement with the [United States].",
      ("Javier Milei", "United States", "supportive"), ("Argentina", "United States", "supportive"),
      ("United States", "Argentina", "neutral"),
      note="a stated intention to sign a trade deal is the speaker's (and his principal's) supportive stance"),
    S("[Rwanda] said [Congolese] forces were working with the [FDLR] militia, which [Kinshasa] denied.",
      ("Congolese", "FDLR", "neutral"), ("Kinshasa", "Rwanda", "neutral"),
      note="a claim disputed in the sentence is not asserted; a bare denial is neutral"),
    S("[Lula] said the vote in [Venezuela] was normal and defended [Nicolas Maduro] against his critics.",
      ("Lula", "Nicolas Maduro", "supportive"), (None, "Nicolas Maduro", "positive")),
    S("[Japan] said [Chinese] coast guard ships had entered the waters near the Senkakus 30 times this year.",
      ("Japan", "Chinese", "neutral"), note="figures reported in plain words are no stance of the reporter"),
    S("[Tehran] said [Moscow] had been a true friend in difficult times, praising [Vladimir Putin] by name.",
      ("Tehran", "Moscow", "supportive"), ("Tehran", "Vladimir Putin", "supportive"), ("Moscow", "Tehran", "neutral")),
]

HEDGES = [
    S("[Washington] might consider sanctioning [Ankara] over the missile purchase, analysts said.",
      ("Washington", "Ankara", "neutral"), (None, "Ankara", "neutral"),
      note="third-party speculation is not asserted (5.2 step 2)"),
    S("If [Armenia] attacks [Azerbaijan], [Turkey] has pledged to intervene on [Baku]'s side.",
      ("Armenia", "Azerbaijan", "neutral"), ("Turkey", "Baku", "supportive"), ("Turkey", "Armenia", "neutral"),
      (None, "Armenia", "neutral"),
      note="the attack is a hypothetical condition; the conditional pledge counts (E4)"),
    S("[Tehran] threatened to quit the nuclear treaty if [Britain], [France] and [Germany] trigger the return of UN sanctions.",
      ("Tehran", "Britain", "hostile"), ("Tehran", "Germany", "hostile"), ("Germany", "Tehran", "neutral"),
      (None, "France", "negative"),
      note="H's own conditional threat counts; the sanctions are only a condition (E3)"),
    S("[China] could step in to back [Russia], diplomats speculated.",
      ("China", "Russia", "neutral")),
    S("[Beijing] warned it would respond forcefully if [Manila] tried to resupply the outpost.",
      ("Beijing", "Manila", "hostile"), ("Manila", "Beijing", "neutral"), (None, "Manila", "negative"),
      note="a warning about T's conduct counts even when conditional"),
    S("It remains unclear whether [Saudi Arabia] will normalise relations with [Israel] this year.",
      ("Saudi Arabia", "Israel", "neutral"), ("Israel", "Saudi Arabia", "neutral")),
    S("Would [India] side with [Moscow] in Thursday's vote, diplomats wondered.",
      ("India", "Moscow", "neutral"), note="a question is not asserted"),
    S("[Germany] said it would send more Patriot systems to [Ukraine] if [Russia] escalated its air campaign.",
      ("Germany", "Ukraine", "supportive"), ("Russia", "Ukraine", "neutral"),
      note="own conditional pledge counts; the escalation is hypothetical"),
    S("In what was widely seen as a snub to [Paris], [Chad] ended its defence cooperation agreement with [France].",
      ("Chad", "France", "hostile"), ("Chad", "Paris", "hostile"),
      note="a writer's interpretive hedge qualifies an asserted act; the act counts (5.2 adjudication)"),
    S("In an apparent gesture of support for [Kyiv], [Ankara] approved the sale of more drones to [Ukraine].",
      ("Ankara", "Kyiv", "supportive"), ("Ankara", "Ukraine", "supportive")),
    S("[Brussels] is expected to extend its sanctions on [Moscow] next week.",
      ("Brussels", "Moscow", "neutral"), note="an expected, not yet taken, act is speculation"),
    S("[Hungary] threatened to veto new [EU] aid for [Ukraine].",
      ("Hungary", "Ukraine", "hostile"), ("Hungary", "EU", "hostile"),
      note="H's own threat to block aid counts"),
    S("Analysts say [Turkey] could still approve [Sweden]'s bid before the summit.",
      ("Turkey", "Sweden", "neutral")),
    S("[Seoul] vowed to respond overwhelmingly should [Pyongyang] carry out a seventh nuclear test.",
      ("Seoul", "Pyongyang", "hostile"), ("Pyongyang", "Seoul", "neutral")),
    S("[Israel] may have been behind the blast at the [Iranian] missile base, officials speculated.",
      ("Israel", "Iranian", "neutral"), (None, "Israel", "neutral")),
    S("[Riyadh] is reportedly weighing a new aid package for [Lebanon].",
      ("Riyadh", "Lebanon", "neutral"), note="weighing aid is no pledge"),
    S("[Kenya] said it was ready to send 1,000 police officers to help [Haiti] restore order.",
      ("Kenya", "Haiti", "supportive"), note="own stated intention to help counts"),
    S("[Donald Trump] said he would cut aid to [Ukraine] if elected.",
      ("Donald Trump", "Ukraine", "hostile"), note="own conditional intention to cut aid counts"),
    S("Officials in Warsaw fear that [Russia] could attack [Poland] next.",
      ("Russia", "Poland", "neutral"), note="a feared attack is speculation"),
    S("If [Hezbollah] joins the war, [Israel] will hit [Lebanon] hard, [Benjamin Netanyahu] warned.",
      ("Hezbollah", "Israel", "neutral"), ("Benjamin Netanyahu", "Lebanon", "hostile"),
      ("Israel", "Lebanon", "hostile"), ("Benjamin Netanyahu", "Hezbollah", "hostile"), (None, "Lebanon", "negative"),
      note="H's own conditional threat counts and is about T's conduct; T's entry into the war is hypothetical"),
    S("Some diplomats believe [Qatar] may soon expel [Hamas] leaders from Doha.",
      ("Qatar", "Hamas", "neutral")),
    S("[Japan] is considering whether to join the [American] sanctions on [Iran].",
      ("Japan", "Iran", "neutral"), ("American", "Iran", "hostile"),
      note="considering is not acting; the existing sanctions are asserted"),
    S("[France] could send troops to [Ukraine] as part of a peace guarantee, diplomats said.",
      ("France", "Ukraine", "neutral"), note="third-party speculation ('could', 'diplomats said')"),
]

CO_MENTION = [
    S("[Armenia], wedged between [Turkey] and [Azerbaijan], relies on [Georgia] for most of its trade.",
      ("Armenia", "Turkey", "neutral"), ("Turkey", "Azerbaijan", "neutral"), ("Azerbaijan", "Armenia", "neutral"),
      (None, "Armenia", "neutral")),
    S("[Mongolia], nestled between [Russia] and [China], held parliamentary elections on Friday.",
      ("Mongolia", "Russia", "neutral"), ("Russia", "China", "neutral"), ("China", "Mongolia", "neutral")),
    S("Leaders of [India], [Brazil] and [South Africa] arrived in Johannesburg for the summit.",
      ("India", "Brazil", "neutral"), ("South Africa", "India", "neutral")),
    S("[Vladimir Putin] met [Xi Jinping] in Beijing on Thursday.",
      ("Vladimir Putin", "Xi Jinping", "neutral"), ("Xi Jinping", "Vladimir Putin", "neutral"),
      note="a meeting with no stated result is neutral"),
    S("Trade between [Vietnam] and [China] rose 20 percent last year.",
      ("Vietnam", "China", "neutral"), ("China", "Vietnam", "neutral")),
    S("[Kazakhstan] shares long borders with both [Russia] and [China].",
      ("Kazakhstan", "Russia", "neutral"), ("China", "Kazakhstan", "neutral")),
    S("[Emmanuel Macron] and [Friedrich Merz] spoke by phone on Tuesday.",
      ("Emmanuel Macron", "Friedrich Merz", "neutral"), ("Friedrich Merz", "Emmanuel Macron", "neutral")),
    S("Delegations from [Egypt] and [Ethiopia] attended the [African Union] summit in Addis Ababa.",
      ("Egypt", "Ethiopia", "neutral"), ("Egypt", "African Union", "neutral")),
    S("[Norway] and [Iceland], both outside the [European Union], rely heavily on fishing.",
      ("Norway", "Iceland", "neutral"), ("Norway", "European Union", "neutral")),
    S("The foreign ministers of [Japan], [Australia] and [India] will meet in Tokyo next month.",
      ("Japan", "Australia", "neutral"), ("India", "Japan", "neutral")),
    S("[Serbia] and [Hungary] both import most of their gas from [Russia].",
      ("Serbia", "Russia", "neutral"), ("Serbia", "Hungary", "neutral"), note="purchases are neutral"),
    S("[Germany] praised [Poland]'s defence spending, while [France] and [Italy] said little.",
      ("Germany", "Poland", "supportive"), ("France", "Italy", "neutral"), ("Germany", "France", "neutral"),
      ("France", "Poland", "neutral")),
    S("At the summit, [Japan] criticised [North Korea]'s missile launches while [Indonesia] and [Malaysia] looked on.",
      ("Japan", "North Korea", "hostile"), ("Indonesia", "North Korea", "neutral"), ("Malaysia", "Japan", "neutral")),
    S("[Qatar], [Oman] and [Kuwait] all sent ministers to the [OPEC] meeting in Vienna.",
      ("Qatar", "Oman", "neutral"), ("Kuwait", "OPEC", "neutral")),
    S("Like [Ukraine], [Moldova] has applied to join the [European Union].",
      ("Moldova", "European Union", "supportive"), ("Moldova", "Ukraine", "neutral"),
      note="applying to join is supportive toward the organisation (5.3 Membership)"),
    S("[Singapore] lies between [Malaysia] and [Indonesia] at the tip of the Malay peninsula.",
      ("Singapore", "Malaysia", "neutral"), ("Indonesia", "Singapore", "neutral")),
    S("[Nigeria], [Ghana] and [Senegal] are among the largest economies in [ECOWAS].",
      ("Nigeria", "Ghana", "neutral"), ("Senegal", "ECOWAS", "neutral")),
    S("[Gustavo Petro] and [Gabriel Boric] both attended the inauguration in Brasilia.",
      ("Gustavo Petro", "Gabriel Boric", "neutral"), ("Gabriel Boric", "Gustavo Petro", "neutral")),
    S("[Pakistan] and [Afghanistan] signed a border trade agreement, while [Iran] watched closely.",
      ("Pakistan", "Afghanistan", "supportive"), ("Afghanistan", "Pakistan", "supportive"),
      ("Iran", "Pakistan", "neutral"), ("Afghanistan", "Iran", "neutral")),
    S("[Djibouti], home to both [American] and [Chinese] military bases, sits on a vital shipping lane.",
      ("American", "Chinese", "neutral"), ("Chinese", "American", "neutral")),
    S("[Lithuania] expelled a [Russian] diplomat, and [Latvia] and [Estonia] said they were studying the case.",
      ("Lithuania", "Russian", "hostile"), ("Latvia", "Russian", "neutral"), ("Estonia", "Lithuania", "neutral")),
]

ACTIONS = [
    S("[Japan] sent emergency aid to [Turkey] after the earthquake.",
      ("Japan", "Turkey", "supportive"), ("Turkey", "Japan", "neutral")),
    S("The [EU] imposed new sanctions on [Iran] over its drone exports to [Russia].",
      ("EU", "Iran", "hostile"), ("Iran", "EU", "neutral"), ("Iran", "Russia", "supportive"),
      ("Russia", "Iran", "neutral"),
      note="the arms exports are asserted as the reason, not claimed: Iran sends arms to Russia"),
    S("[Israeli] jets struck [Syrian] air defence sites near Damascus.",
      ("Israeli", "Syrian", "hostile"), ("Syrian", "Israeli", "neutral")),
    S("[India] and the [United Arab Emirates] signed a free trade agreement.",
      ("India", "United Arab Emirates", "supportive"), ("United Arab Emirates", "India", "supportive")),
    S("[Bahrain] established full diplomatic relations with [Israel] and opened an embassy in Tel Aviv.",
      ("Bahrain", "Israel", "supportive")),
    S("[Moscow] expelled ten [Moldovan] diplomats in a tit-for-tat move.",
      ("Moscow", "Moldovan", "hostile"), ("Moldovan", "Moscow", "neutral")),
    S("[Washington] lifted sanctions on [Syria]'s banking sector.",
      ("Washington", "Syria", "supportive"), (None, "Syria", "neutral"),
      note="lifting sanctions is supportive; the beneficiary is not portrayed"),
    S("[China] imposed tariffs of up to 80 percent on [Australian] barley.",
      ("China", "Australian", "hostile"), (None, "Australian", "negative")),
    S("[Turkey] delivered Bayraktar drones to [Poland] under a 2021 contract.",
      ("Turkey", "Poland", "supportive"), ("Poland", "Turkey", "neutral"), note="sending arms is supportive"),
    S("[Mali]'s junta expelled the [French] ambassador.",
      ("Mali", "French", "hostile")),
    S("[Houthi] rebels fired missiles at [U.S.] warships in the Red Sea.",
      ("Houthi", "U.S.", "hostile"), ("U.S.", "Houthi", "neutral")),
    S("The [World Bank] approved a $1.5 billion loan for [Kenya].",
      ("World Bank", "Kenya", "supportive"), ("Kenya", "World Bank", "neutral")),
    S("[Azerbaijan] and [Armenia] initialled the text of a peace treaty in Washington.",
      ("Azerbaijan", "Armenia", "supportive"), ("Armenia", "Azerbaijan", "supportive")),
    S("[Ukraine] struck a [Russian] airbase in Crimea with long-range drones.",
      ("Ukraine", "Russian", "hostile"), ("Russian", "Ukraine", "neutral")),
    S("[Finland] joined [NATO] in April 2023.",
      ("Finland", "NATO", "supportive"), ("NATO", "Finland", "neutral")),
    S("[Burkina Faso], [Mali] and [Niger] announced they would quit [ECOWAS].",
      ("Burkina Faso", "ECOWAS", "hostile"), ("Niger", "ECOWAS", "hostile"), ("Mali", "Niger", "neutral")),
    S("[Germany] pledged 7 billion euros in military aid to [Ukraine].",
      ("Germany", "Ukraine", "supportive")),
    S("The [United States] seized an [Iranian] oil tanker off the coast of Oman.",
      ("United States", "Iranian", "hostile")),
    S("[Kenya] and [Ethiopia] agreed to hold talks on the disputed border.",
      ("Kenya", "Ethiopia", "neutral"), ("Ethiopia", "Kenya", "neutral"),
      note="an agreement to hold talks alone is neutral"),
    S("[Algeria] recalled its ambassador from [Madrid] in protest.",
      ("Algeria", "Madrid", "hostile")),
    S("[Qatar] bought $2 billion worth of [American] fighter jets.",
      ("Qatar", "American", "neutral"), note="purchases are neutral"),
    S("[China] and [Russia] vetoed a [U.S.]-drafted resolution on [North Korea].",
      ("China", "U.S.", "hostile"), ("Russia", "North Korea", "neutral"), ("China", "Russia", "neutral"),
      note="a veto is hostile toward the drafter, neutral toward the targeted actor (5.3 UN votes)"),
    S("[Rwandan] and [Mozambican] troops launched joint patrols in Cabo Delgado.",
      ("Rwandan", "Mozambican", "supportive"), ("Mozambican", "Rwandan", "supportive")),
    S("[Israel] withheld [Palestinian] Authority tax revenues for a third month.",
      ("Israel", "Palestinian", "hostile")),
    S("[Colombia] suspended all arms purchases from [Israel].",
      ("Colombia", "Israel", "hostile"), note="a ban is hostile"),
    S("[Brazil] imported a record 10 million tonnes of [Russian] fertiliser.",
      ("Brazil", "Russian", "neutral")),
    S("[Ghana] and [Ivory Coast] signed a deal to jointly market their cocoa.",
      ("Ghana", "Ivory Coast", "supportive"), ("Ivory Coast", "Ghana", "supportive")),
    S("The [IAEA] sent inspectors to [Iran]'s Fordow site on Monday.",
      ("IAEA", "Iran", "neutral"), note="an inspection visit in plain words is neutral"),
]

LEADERS_CAPITALS = [
    S("[Erdogan] praised [Baku] for its historic victory in Karabakh.",
      ("Erdogan", "Baku", "supportive"), ("Baku", "Erdogan", "neutral"), (None, "Baku", "positive")),
    S("[Volodymyr Zelensky] thanked [Berlin] for a new batch of air defence systems.",
      ("Volodymyr Zelensky", "Berlin", "supportive"), ("Berlin", "Volodymyr Zelensky", "supportive"),
      note="thanks for help given to H make T -> H supportive as well (5.3 Thanks)"),
    S("[Tehran] warned [Baku] against letting [Israeli] drones use its airspace.",
      ("Tehran", "Baku", "hostile"), ("Baku", "Tehran", "neutral")),
    S("[Sergei Lavrov] accused [Washington] of stoking the conflict in the Caucasus.",
      ("Sergei Lavrov", "Washington", "hostile"), ("Washington", "Sergei Lavrov", "neutral")),
    S("The [Kremlin] dismissed [Macron]'s proposal for an Olympic truce.",
      ("Kremlin", "Macron", "hostile"), ("Macron", "Kremlin", "neutral"), (None, "Macron", "neutral")),
    S("[Narendra Modi] welcomed [Anthony Albanese] to New Delhi for two days of talks.",
      ("Narendra Modi", "Anthony Albanese", "neutral"), ("Anthony Albanese", "Narendra Modi", "neutral"),
      note="receiving a visitor is a meeting, not a welcome of T's move"),
    S("[Xi Jinping] congratulated [Vladimir Putin] on his re-election.",
      ("Xi Jinping", "Vladimir Putin", "supportive"), ("Vladimir Putin", "Xi Jinping", "neutral"),
      (None, "Vladimir Putin", "positive")),
    S("[Riyadh] welcomed [Washington]'s decision to lift sanctions on [Damascus].",
      ("Riyadh", "Washington", "supportive"), ("Washington", "Damascus", "supportive"), (None, "Washington", "positive")),
    S("[Benjamin Netanyahu] vowed to keep striking [Hezbollah] until residents can return to the north.",
      ("Benjamin Netanyahu", "Hezbollah", "hostile")),
    S("[Claudia Sheinbaum] rejected [Washington]'s offer to send troops to fight the cartels.",
      ("Claudia Sheinbaum", "Washington", "hostile")),
    S("[Lula] met [Javier Milei] on the sidelines of the summit in Rio.",
      ("Lula", "Javier Milei", "neutral"), ("Javier Milei", "Lula", "neutral")),
    S("[Pyongyang] praised [Moscow]'s just struggle against its enemies.",
      ("Pyongyang", "Moscow", "supportive")),
    S("[Keir Starmer] promised [Kyiv] 3 billion pounds a year in military aid.",
      ("Keir Starmer", "Kyiv", "supportive"), ("Kyiv", "Keir Starmer", "neutral")),
    S("[Ankara] summoned [Stockholm]'s envoy after a Koran was burned outside its embassy.",
      ("Ankara", "Stockholm", "hostile"), (None, "Stockholm", "negative")),
    S("[Beijing] slammed [Tokyo] for releasing treated water from the Fukushima plant.",
      ("Beijing", "Tokyo", "hostile"), ("Tokyo", "Beijing", "neutral"), (None, "Tokyo", "negative")),
    S("[Emmanuel Macron] said [France] would recognise [Palestine] in September.",
      ("Emmanuel Macron", "Palestine", "supportive"), ("France", "Palestine", "supportive"),
      ("Emmanuel Macron", "France", "neutral"), note="principal rule: the president speaks for the named state"),
    S("[Abiy Ahmed] and [Isaias Afwerki] signed a peace declaration in Asmara.",
      ("Abiy Ahmed", "Isaias Afwerki", "supportive"), ("Isaias Afwerki", "Abiy Ahmed", "supportive")),
    S("The [White House] called [Maduro]'s re-election a fraud.",
      ("White House", "Maduro", "hostile"), (None, "Maduro", "negative")),
    S("[Downing Street] said it stood shoulder to shoulder with [Warsaw].",
      ("Downing Street", "Warsaw", "supportive")),
    S("[Kim Jong Un] hosted [Sergei Shoigu] in Pyongyang for the second time this year.",
      ("Kim Jong Un", "Sergei Shoigu", "neutral"), ("Sergei Shoigu", "Kim Jong Un", "neutral")),
    S("[Islamabad] recalled its ambassador from [Kabul] in protest at the border clashes.",
      ("Islamabad", "Kabul", "hostile"), ("Kabul", "Islamabad", "neutral")),
    S("[Viktor Orban] blocked [Brussels]' plan to use frozen Russian assets for Ukraine.",
      ("Viktor Orban", "Brussels", "hostile")),
    S("[Wang Yi] said [Beijing] firmly opposed any interference in its internal affairs.",
      ("Wang Yi", "Beijing", "neutral"), note="person <-> own principal is neutral"),
    S("[Cyril Ramaphosa] told [Donald Trump] that [Pretoria] would not be bullied over its land policy.",
      ("Cyril Ramaphosa", "Pretoria", "neutral"), ("Donald Trump", "Cyril Ramaphosa", "neutral")),
    S("[Ilham Aliyev] thanked [Recep Tayyip Erdogan] for standing by [Azerbaijan] throughout the war.",
      ("Ilham Aliyev", "Recep Tayyip Erdogan", "supportive"), ("Recep Tayyip Erdogan", "Ilham Aliyev", "supportive"),
      ("Recep Tayyip Erdogan", "Azerbaijan", "supportive"), (None, "Recep Tayyip Erdogan", "positive"),
      note="thanked for help given to H's state: supportive both ways; the thanked actor is positive"),
]

PORTRAYAL_VS_STANCE = [
    S("[Russia]'s unprovoked invasion of [Ukraine] has killed thousands of civilians.",
      (None, "Russia", "negative"), (None, "Ukraine", "neutral"), ("Russia", "Ukraine", "hostile"),
      ("Ukraine", "Russia", "neutral"), note="aggressor negative; a victim described plainly is neutral"),
    S("[Japan] pledged $500 million in humanitarian aid to [Sudan].",
      (None, "Japan", "neutral"), (None, "Sudan", "neutral"), ("Japan", "Sudan", "supportive"),
      note="the donor holds a supportive stance but is neutral in plain words; the recipient is neutral"),
    S("[Qatar] brokered the release of four hostages held in Gaza, its latest mediation success.",
      (None, "Qatar", "positive")),
    S("[Lebanon]'s economy is in free fall, with the currency down 98 percent.",
      (None, "Lebanon", "negative")),
    S("[Qatar] posted a record budget surplus on the back of strong gas exports.",
      (None, "Qatar", "positive")),
    S("The [IMF] praised [Sri Lanka]'s remarkable economic recovery.",
      (None, "Sri Lanka", "positive"), (None, "IMF", "neutral"), ("IMF", "Sri Lanka", "supportive"),
      ("Sri Lanka", "IMF", "neutral")),
    S("[Washington] imposed sanctions on [Nicaragua]'s gold sector.",
      (None, "Nicaragua", "negative"), (None, "Washington", "neutral"), ("Washington", "Nicaragua", "hostile")),
    S("[Turkey] offered to host peace talks between [Russia] and [Ukraine].",
      (None, "Turkey", "positive"), ("Turkey", "Russia", "neutral"), ("Turkey", "Ukraine", "neutral"),
      (None, "Russia", "neutral"),
      note="the mediator takes no side (stance neutral) but is portrayed as peacemaking (positive)"),
    S("[Myanmar]'s brutal military regime bombed a village school in Sagaing.",
      (None, "Myanmar", "negative")),
    S("[Washington] vetoed [Palestine]'s bid for full UN membership.",
      ("Washington", "Palestine", "hostile"), (None, "Palestine", "neutral"), (None, "Washington", "neutral"),
      note="an actor whose bid is rejected is not reproached"),
    S("Isolated and broke, [North Korea] has turned to [Russia] for food and fuel.",
      (None, "North Korea", "negative"), ("North Korea", "Russia", "neutral"), (None, "Russia", "neutral"),
      note="requesting help is no stance"),
    S("[Norway], one of the most generous donors, doubled its contribution to [UNRWA].",
      (None, "Norway", "positive"), ("Norway", "UNRWA", "supportive"), (None, "UNRWA", "neutral")),
    S("[Hungary] was criticised by the [European Commission] over its record on corruption.",
      (None, "Hungary", "negative"), ("European Commission", "Hungary", "hostile"), (None, "European Commission", "neutral")),
    S("[Estonia] is widely admired as a digital success story.",
      (None, "Estonia", "positive")),
    S("[China] sent two million vaccine doses to [Indonesia].",
      ("China", "Indonesia", "supportive"), (None, "Indonesia", "neutral"), (None, "China", "neutral")),
    S("[Ukraine] thanked [Japan] for its steadfast support.",
      (None, "Japan", "positive"), ("Ukraine", "Japan", "supportive"), ("Japan", "Ukraine", "supportive"),
      (None, "Ukraine", "neutral")),
    S("The [African Union] congratulated [Senegal] on a peaceful transfer of power.",
      (None, "Senegal", "positive"), ("African Union", "Senegal", "supportive"), (None, "African Union", "neutral")),
    S("[Lithuania] condemned [Minsk] for jailing yet another opposition leader.",
      ("Lithuania", "Minsk", "hostile"), (None, "Lithuania", "neutral"), (None, "Minsk", "negative")),
    S("[Argentina] and the [IMF] signed a $20 billion loan agreement.",
      (None, "Argentina", "neutral"), (None, "IMF", "neutral"), ("IMF", "Argentina", "supportive"),
      ("Argentina", "IMF", "supportive"), note="mutual alignment is not portrayal"),
    S("[Azerbaijan]'s lightning offensive routed [Armenian] forces in Karabakh.",
      (None, "Armenian", "negative"), ("Azerbaijan", "Armenian", "hostile"),
      note="'routed' frames the actor as beaten"),
    S("[Hezbollah] fighters killed three [Israeli] soldiers in a cross-border ambush.",
      (None, "Hezbollah", "neutral"), (None, "Israeli", "neutral"), ("Hezbollah", "Israeli", "hostile"),
      note="military action in plain words leaves attacker and attacked neutral"),
    S("[Vietnam]'s booming economy grew 7 percent last year.",
      (None, "Vietnam", "positive")),
    S("[Pakistan] asked [China] to roll over $2 billion in loans.",
      ("Pakistan", "China", "neutral"), (None, "China", "neutral")),
    S("[Kosovo] and [Serbia] traded accusations after the border incident.",
      (None, "Kosovo", "negative"), (None, "Serbia", "negative"), ("Kosovo", "Serbia", "hostile"),
      ("Serbia", "Kosovo", "hostile")),
    S("[Russia] and [China] pledged to deepen their strategic partnership.",
      (None, "Russia", "neutral"), (None, "China", "neutral"), ("Russia", "China", "supportive"),
      ("China", "Russia", "supportive")),
    S("New restrictions have deepened [Afghanistan]'s isolation under the [Taliban].",
      (None, "Afghanistan", "negative"), ("Taliban", "Afghanistan", "neutral")),
]


# ---------------------------------------------------------------------------------------------------------------------
# Invariance: the same sentence with actor names of the same type swapped; every member keeps its label
# ---------------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Template:
    marked: str                      # with {a}, {b}, {c} slots; each filled value is bracketed as a mention
    pairs: tuple[Pair, ...]          # refs are slot names: ("a", "b", "hostile"), (None, "b", "negative")
    fills: tuple[dict[str, str], ...]
    note: str | None = None


def F(**slots: str) -> dict[str, str]:
    return slots


INVARIANCE = [
    Template("{a} accused {b} of violating the ceasefire along their shared border.",
             (("a", "b", "hostile"), ("b", "a", "neutral")),
             (F(a="Thailand", b="Cambodia"), F(a="India", b="Pakistan"), F(a="Armenia", b="Azerbaijan"),
              F(a="Ethiopia", b="Eritrea"))),
    Template("{a} praised {b} for its role in brokering the prisoner exchange.",
             (("a", "b", "supportive"), (None, "b", "positive")),
             (F(a="Volodymyr Zelensky", b="Abu Dhabi"), F(a="Vladimir Putin", b="Riyadh"),
              F(a="Emmanuel Macron", b="Doha"), F(a="Joe Biden", b="Muscat")),
             note="leaders and capitals"),
    Template("{a} sent 200 tonnes of humanitarian aid to {b} after the floods.",
             (("a", "b", "supportive"), ("b", "a", "neutral"), (None, "b", "neutral")),
             (F(a="Japan", b="Pakistan"), F(a="Turkey", b="Libya"), F(a="China", b="Bangladesh"),
              F(a="Saudi Arabia", b="Sudan"))),
    Template("{a} drones struck a fuel depot inside {b}.",
             (("a", "b", "hostile"), ("b", "a", "neutral")),
             (F(a="Ukrainian", b="Russia"), F(a="Israeli", b="Lebanon"), F(a="Turkish", b="Iraq"),
              F(a="Pakistani", b="Afghanistan")),
             note="demonym holders"),
    Template("{a} imposed sanctions on {b} after the disputed election.",
             (("a", "b", "hostile"), (None, "b", "negative")),
             (F(a="ECOWAS", b="Guinea"), F(a="Washington", b="Belarus"), F(a="Brussels", b="Venezuela"),
              F(a="London", b="Nicaragua"))),
    Template("{a} and {b} signed a defence cooperation agreement on Monday.",
             (("a", "b", "supportive"), ("b", "a", "supportive")),
             (F(a="India", b="Australia"), F(a="Saudi Arabia", b="Pakistan"), F(a="Germany", b="Poland"),
              F(a="Kenya", b="Ethiopia"))),
    Template("{a}'s president met {b}'s foreign minister in Geneva on Tuesday.",
             (("a", "b", "neutral"), ("b", "a", "neutral")),
             (F(a="Iran", b="Oman"), F(a="Brazil", b="China"), F(a="Kenya", b="France"),
              F(a="Serbia", b="Hungary"))),
    Template("{a} fighters attacked a {b} army base overnight.",
             (("a", "b", "hostile"), (None, "a", "neutral")),
             (F(a="al-Shabaab", b="Somali"), F(a="Boko Haram", b="Nigerian"), F(a="JNIM", b="Malian"),
              F(a="ISIS", b="Syrian")),
             note="armed groups; military action in plain words leaves the attacker neutral"),
    Template("{a} refrained from criticising {b} during his visit.",
             (("a", "b", "neutral"), (None, "b", "neutral")),
             (F(a="Narendra Modi", b="Russia"), F(a="Lula", b="China"), F(a="Viktor Orban", b="Russia"),
              F(a="Shehbaz Sharif", b="China"))),
    Template("{a} welcomed {b}'s decision to reopen its embassy.",
             (("a", "b", "supportive"), (None, "b", "positive")),
             (F(a="Riyadh", b="Iran"), F(a="Ankara", b="Egypt"), F(a="Abu Dhabi", b="Qatar"),
              F(a="Rabat", b="Germany")),
             note="a welcome of T's move"),
    Template("{a} accused {b} of helping {c} evade sanctions.",
             (("a", "b", "hostile"), ("b", "c", "neutral")),
             (F(a="Washington", b="Moscow", c="Pyongyang"), F(a="Britain", b="Turkey", c="Russia"),
              F(a="Ukraine", b="Kazakhstan", c="Russia"), F(a="Japan", b="China", c="North Korea"))),
    Template("{a}'s economy shrank for a third straight year as inflation topped 50 percent.",
             ((None, "a", "negative"),),
             (F(a="Argentina"), F(a="Lebanon"), F(a="Turkey"), F(a="Iran"))),
    Template("The {a} praised {b} for its rapid response to the outbreak.",
             (("a", "b", "supportive"), (None, "b", "positive")),
             (F(a="WHO", b="Rwanda"), F(a="WHO", b="Uganda"), F(a="African Union", b="Nigeria"),
              F(a="WHO", b="Senegal"))),
]


# ---------------------------------------------------------------------------------------------------------------------
# Direction: a base sentence and its role swap; the labels mirror
# ---------------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Mirror:
    marked: str                      # with {a} and {b} slots
    a: str
    b: str
    a_to_b: str                      # label of a -> b in the base sentence; b -> a in the swapped one
    b_to_a: str
    swap: tuple[str, str] | None = None  # (slot a, slot b) of the swapped sentence when the forms differ
    sentiment: tuple[str, str] | None = None  # expected sentiment of the slot a and slot b mentions
    note: str | None = None


DIRECTION = [
    Mirror("{a} accused {b} of sheltering militants on its territory.", "Pakistan", "Afghanistan",
           "hostile", "neutral", sentiment=("neutral", "negative")),
    Mirror("{a} sent firefighting planes to help {b} battle the wildfires.", "Greece", "Turkey",
           "supportive", "neutral"),
    Mirror("{a} troops shelled villages inside {b}.", "Armenian", "Azerbaijan", "hostile", "neutral",
           swap=("Azerbaijani", "Armenia"), note="demonym holder; the swapped sentence uses the other forms"),
    Mirror("{b} was condemned by {a} for the border incursion.", "Guyana", "Venezuela", "hostile", "neutral",
           sentiment=("neutral", "negative"), note="passive: the agent holds the stance"),
    Mirror("{a} expelled four {b} diplomats over the spying affair.", "Serbia", "Croatian", "hostile", "neutral",
           swap=("Croatia", "Serbian")),
    Mirror("{a} congratulated {b} on his election victory.", "Emmanuel Macron", "Friedrich Merz",
           "supportive", "neutral", sentiment=("neutral", "positive")),
    Mirror("{a} demanded that {b} withdraw its troops from the disputed zone.", "Kinshasa", "Kigali",
           "hostile", "neutral"),
    Mirror("{a} rejected {b}'s proposal for a joint border commission.", "Ethiopia", "Egypt", "hostile", "neutral"),
    Mirror("{a} launched strikes on {b} positions overnight.", "Israel", "Hezbollah", "hostile", "neutral"),
    Mirror("{a} lifted its trade embargo on {b}.", "Turkey", "Armenia", "supportive", "neutral"),
    Mirror("{a} recalled its ambassador from {b} in protest.", "Algeria", "France", "hostile", "neutral"),
    Mirror("{a} imposed tariffs on {b} steel.", "Washington", "Canadian", "hostile", "neutral",
           swap=("Ottawa", "American"), sentiment=("neutral", "negative")),
]


# ---------------------------------------------------------------------------------------------------------------------
# Expansion into cases
# ---------------------------------------------------------------------------------------------------------------------

def parse(marked: str) -> tuple[str, list[tuple[str, int, int]]]:
    """Remove the brackets; return the text and the mentions (surface, start, end) in textual order."""
    parts: list[str] = []
    mentions: list[tuple[str, int, int]] = []
    pos = length = 0
    for match in MARK.finditer(marked):
        before = marked[pos : match.start()]
        parts.append(before)
        length += len(before)
        surface = match.group(1)
        mentions.append((surface, length, length + len(surface)))
        parts.append(surface)
        length += len(surface)
        pos = match.end()
    parts.append(marked[pos:])
    text = "".join(parts)
    if "[" in text or "]" in text:
        raise ValueError(f"unbalanced brackets in {marked!r}")
    for surface, start, end in mentions:
        assert text[start:end] == surface
    return text, mentions


def resolve(ref: str, mentions: list[tuple[str, int, int]], marked: str) -> dict[str, int]:
    surface, _, nth = ref.partition("#")
    hits = [(s, e) for name, s, e in mentions if name == surface]
    if not hits:
        raise ValueError(f"{ref!r} is not a bracketed mention of {marked!r}")
    if nth:
        start, end = hits[int(nth) - 1]
    elif len(hits) > 1:
        raise ValueError(f"{ref!r} is ambiguous in {marked!r}: write {surface}#1 or {surface}#2")
    else:
        start, end = hits[0]
    return {"start": start, "end": end}


def case(cid: str, capability: str, marked: str, pair: Pair, note: str | None,
         group: str | None = None) -> dict[str, Any]:
    holder_ref, target_ref, label = pair[0], pair[1], pair[2]
    if len(pair) > 3:
        note = pair[3]
    text, mentions = parse(marked)
    row: dict[str, Any] = {
        "id": cid, "capability": capability, "text": text,
        "holder": None if holder_ref is None else resolve(holder_ref, mentions, marked),
        "target": resolve(target_ref, mentions, marked),
    }
    if holder_ref is None:
        if label not in SENTIMENTS:
            raise ValueError(f"{cid}: sentiment label {label!r} not in {SENTIMENTS}")
        row["sentiment"] = label
    else:
        if label not in STANCES:
            raise ValueError(f"{cid}: stance label {label!r} not in {STANCES}")
        if holder_ref == target_ref:
            raise ValueError(f"{cid}: holder and target are the same mention")
        row["stance"] = label
    if group is not None:
        row["group"] = group
    if note:
        row["note"] = note
    return row


def bracket(template: str, slots: dict[str, str]) -> str:
    return template.format(**{name: f"[{value}]" for name, value in slots.items()})


def sentence_cases(capability: str, sentences: list[Sentence]) -> Iterator[dict[str, Any]]:
    n = 0
    for sentence in sentences:
        for pair in sentence.pairs:
            n += 1
            yield case(f"{capability}-{n:03d}", capability, sentence.marked, pair, sentence.note)


def invariance_cases() -> Iterator[dict[str, Any]]:
    n = 0
    for t_index, template in enumerate(INVARIANCE, start=1):
        for p_index, pair in enumerate(template.pairs, start=1):
            group = f"invariance-g{t_index:02d}{chr(ord('a') + p_index - 1)}"
            for fill in template.fills:
                n += 1
                marked = bracket(template.marked, fill)
                refs = tuple(None if ref is None else fill[ref] for ref in pair[:2])
                yield case(f"invariance-{n:03d}", "invariance", marked, (*refs, pair[2]), template.note, group)


def direction_cases() -> Iterator[dict[str, Any]]:
    n = 0
    for m_index, mirror in enumerate(DIRECTION, start=1):
        group = f"direction-g{m_index:02d}"
        # base: a -> b; swapped: slot a holds the former b actor (in its slot a form), slot b the former a actor
        versions = [(mirror.a, mirror.b), mirror.swap or (mirror.b, mirror.a)]
        for slot_a, slot_b in versions:
            marked = bracket(mirror.marked, {"a": slot_a, "b": slot_b})
            pairs: list[Pair] = [(slot_a, slot_b, mirror.a_to_b), (slot_b, slot_a, mirror.b_to_a)]
            if mirror.sentiment:
                pairs += [(None, slot_a, mirror.sentiment[0]), (None, slot_b, mirror.sentiment[1])]
            for pair in pairs:
                n += 1
                yield case(f"direction-{n:03d}", "direction", marked, pair, mirror.note, group)


def build() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for capability, sentences in (
        ("negation", NEGATION), ("conflict_nouns", CONFLICT_NOUNS), ("demonym_holder", DEMONYM_HOLDER),
        ("accusation_direction", ACCUSATION_DIRECTION), ("reported_speech", REPORTED_SPEECH), ("hedges", HEDGES),
        ("co_mention", CO_MENTION), ("actions", ACTIONS), ("leaders_capitals", LEADERS_CAPITALS),
        ("portrayal_vs_stance", PORTRAYAL_VS_STANCE),
    ):
        rows.extend(sentence_cases(capability, sentences))
    rows.extend(invariance_cases())
    rows.extend(direction_cases())
    ids = [row["id"] for row in rows]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate case ids")
    keys = [(row["text"], json.dumps(row["holder"]), json.dumps(row["target"])) for row in rows]
    if len(keys) != len(set(keys)):
        dupes = sorted({k[0] for k in keys if keys.count(k) > 1})
        raise ValueError(f"the same record appears twice: {dupes[:3]}")
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else SUITE
    rows = build()
    out.write_text(render(rows), encoding="utf-8")
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["capability"]] = counts.get(row["capability"], 0) + 1
    print(f"wrote {len(rows)} cases to {out}: " + ", ".join(f"{c} {counts.get(c, 0)}" for c in CAPABILITIES))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
