"""Swedish text for the scale data: names, case titles, subjects and mail bodies.

Built from small word lists with a seeded ``random.Random``: the same seed gives the same
data (its dates relative to the time of the run). The lengths are those of real registry
mail: a subject of a few words, a body of a greeting, two to seven sentences and a
signature (about 300–1 800 characters).
"""

from __future__ import annotations

import random


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = words(
    "Anna Eva Maria Karin Sara Lena Kerstin Emma Ingrid Malin Sofia Linnea Elin Ida Hanna "
    "Johanna Cecilia Annika Helena Ulla Lars Mikael Anders Johan Per Erik Karl Peter Jan "
    "Thomas Daniel Fredrik Hans Mats Magnus Stefan Andreas Jonas Marcus Niklas Björn Åsa "
    "Östen Örjan Märta Göran Pär Agneta Birgitta Torbjörn"
)
SURNAMES = words(
    "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson "
    "Pettersson Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson "
    "Lindström Olofsson Lindqvist Lindgren Berg Axelsson Bergström Lundberg Lind Lundgren "
    "Lundqvist Mattsson Berglund Fredriksson Sandberg Henriksson Forsberg Sjöberg Wallin "
    "Engström Eklund Danielsson Håkansson Lundin Björk Bergman Gunnarsson Holm Wikström "
    "Samuelsson Isaksson Fransson Bergqvist Nyström Holmberg Arvidsson Löfgren Söderberg "
    "Nyberg Blomqvist Claesson Mårtensson Nordström Åberg Öberg"
)
JOB_TITLES = (
    "kommundirektör",
    "kanslichef",
    "registrator",
    "nämndsekreterare",
    "utredare",
    "handläggare",
    "ekonomichef",
    "fastighetschef",
    "samhällsbyggnadschef",
    "verksamhetsutvecklare",
    "kommunjurist",
    "lokalstrateg",
    "enhetschef",
    "administratör",
    "projektledare",
)

TOPICS = (
    "statligt servicekontor",
    "lokalförsörjning",
    "bredbandsutbyggnad",
    "försörjningsstöd",
    "detaljplan för centrum",
    "kollektivtrafik",
    "skolskjuts",
    "vatten och avlopp",
    "bygglov för kontorslokal",
    "digital brevlåda",
    "e-arkiv",
    "informationssäkerhet",
    "krisberedskap",
    "medborgarservice",
    "integration och etablering",
    "äldreomsorg",
    "hemtjänst",
    "förskoleplatser",
    "energieffektivisering",
    "näringslivsutveckling",
    "turismstrategi",
    "föreningsbidrag",
    "tillgänglighetsanpassning",
    "avfallsplan",
    "översiktsplan",
    "friskvård för anställda",
    "personuppgiftsbehandling",
    "upphandling av städtjänster",
    "hyresavtal för lokaler",
    "samverkansavtal",
)

CASE_TITLES = (
    "Etablering av statligt servicekontor i {kommun}",
    "Lokalförsörjning i {kort}: hyresavtal för kontor",
    "Överenskommelse om samverkan med {kommun}",
    "Remiss om {topic} – yttrande från {kommun}",
    "Begäran om allmän handling från {kommun}",
    "Ansökan om bidrag för {topic} i {kort}",
    "Upphandling av {topic} för {kort}",
    "Tillsyn av {topic} i {kommun}",
    "Avtal om {topic} med {kommun}",
    "Uppföljning av {topic}, {kommun}",
    "Servicekontoret i {kort}: {topic}",
    "Synpunkter på {topic} från invånare i {kort}",
    "Samråd om {topic} i {kommun}",
    "Utredning om {topic} i {kort}",
)

SUBJECTS = (
    "Angående {topic}",
    "Kallelse till möte om {topic}",
    "Protokoll från samrådsmöte om {topic}",
    "Beslut om {topic}",
    "Underlag inför beslut om {topic}",
    "Yttrande över {topic}",
    "Påminnelse: {topic}",
    "Frågor om {topic} i {kort}",
    "Minnesanteckningar: {topic}",
    "Förfrågan om lokaler i {kort}",
    "Inbjudan till dialog om {topic}",
    "Komplettering av ansökan om {topic}",
    "Svar på begäran om uppgifter om {topic}",
    "Tjänsteskrivelse om {topic}",
)

SENTENCES = (
    "Vi återkommer med ett förslag till avtal så snart styrelsen har fattat beslut.",
    "Bifogat finns underlaget som vi pratade om på mötet i tisdags.",
    "Kan ni bekräfta att lokalen är tillgänglig från och med den första i nästa månad?",
    "Kommunstyrelsen behandlar ärendet på sitt sammanträde i slutet av månaden.",
    "Enligt vår bedömning behöver ytterligare uppgifter tas fram innan vi kan gå vidare.",
    "Hyresvärden har lämnat ett nytt förslag som innebär en lägre årshyra.",
    "Vi ser gärna att ni skickar in yttrandet senast om två veckor.",
    "Frågan har stämts av med förvaltningens jurist, som inte har några invändningar.",
    "Tack för ett givande möte, här kommer minnesanteckningarna som utlovat.",
    "Servicekontoret har haft fler besök än väntat under första kvartalet.",
    "Vi behöver veta hur många arbetsplatser som ska finnas i lokalen.",
    "Beslutet kan överklagas till förvaltningsrätten inom tre veckor.",
    "Ärendet har lämnats över till samhällsbyggnadsförvaltningen för beredning.",
    "Det finns ännu inget datum för när ombyggnaden kan påbörjas.",
    "Vi föreslår ett uppföljningsmöte i början av nästa månad.",
    "Uppgifterna i ansökan behöver kompletteras med en budget och en tidplan.",
    "Kommunen ställer sig positiv till förslaget men vill diskutera finansieringen.",
    "Jag har bifogat ritningarna och en beskrivning av tillgängligheten.",
    "Vänligen återkom med era synpunkter så snart som möjligt.",
    "Vi har noterat att avtalet löper ut vid årsskiftet och behöver förlängas.",
    "Personalen på plats har fått utbildning i de nya rutinerna.",
    "Vi har tagit emot er skrivelse och den har diarieförts.",
    "Svar lämnas senast den sista i månaden enligt överenskommelse.",
    "Förvaltningen har inga invändningar mot den föreslagna placeringen.",
)

GREETINGS = ("Hej {first}!", "Hej {first},", "Hej,", "Till berörda,", "God dag {first},")
CLOSINGS = ("Med vänliga hälsningar", "Vänliga hälsningar", "Hälsningar", "Mvh")


def ascii_name(text: str) -> str:
    """A name as it appears in e-mail addresses: ä→a, ö→o, å→a, lower case, no spaces."""
    table = str.maketrans("åäöéüÅÄÖÉÜ", "aaoeuaaoeu")
    return "".join(ch for ch in text.translate(table).lower() if ch.isalnum() or ch in ".-")


class Writer:
    """Seeded text: one per generator run."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def person(self) -> tuple[str, str]:
        return self.rng.choice(FIRST_NAMES), self.rng.choice(SURNAMES)

    def case_title(self, kommun: str, kort: str) -> str:
        return self.rng.choice(CASE_TITLES).format(
            kommun=kommun, kort=kort, topic=self.rng.choice(TOPICS)
        )

    def subject(self, kort: str) -> str:
        return self.rng.choice(SUBJECTS).format(kort=kort, topic=self.rng.choice(TOPICS))

    def body(self, to_first: str, signature: tuple[str, str, str]) -> str:
        rng = self.rng
        lines = [rng.choice(GREETINGS).format(first=to_first), ""]
        lines.append(" ".join(rng.sample(SENTENCES, rng.randint(2, 7))))
        if rng.random() < 0.5:
            lines += ["", " ".join(rng.sample(SENTENCES, rng.randint(1, 4)))]
        name, title, org = signature
        phone = f"0{rng.randint(10, 99)}-{rng.randint(100000, 999999)}"
        lines += ["", rng.choice(CLOSINGS), name, title, org, f"Tel: {phone}"]
        return "\n".join(lines)
