"""Demo pilot outcomes: the finished round's winner as a published innovation page with a
status timeline, three metrics, feedback, an adoption and two updates, translated into
Finnish and Swedish through wagtail-localize; the runner-up's page in English.

``judging.demo`` drafts the pages from the awarded ideas, as a coordinator would, and hands
them here to be edited and published.
"""

from datetime import date
from decimal import Decimal

from home.demo import translate

from .demo import STRINGS, WINNER
from .models import (
    AdopterKind,
    Adoption,
    ClientGroup,
    InnovationPage,
    Metric,
    PilotStatus,
    PilotStatusChange,
    Quote,
    QuoteSource,
)

UPDATES = [
    (
        date(2025, 12, 15),
        "The first four months",
        "Nurses at two clinics consulted the psychologist 112 times; 83 of the parents were "
        "contacted within a week.",
    ),
    (
        date(2026, 4, 20),
        "Ten improvements made in the pilot",
        "A shared calendar replaced phone calls, the psychologist joins the clinic's team "
        "meeting once a month, and parents can choose a video call.",
    ),
]

METRICS = [
    ("Days from the nurse's worry to the first contact", "days", 38, 6, "Patient records"),
    ("Worried parents who met a psychologist", "%", 41, 83, "Patient records"),
    ("Nurses confident to raise mental health", "%", 55, 90, "Staff survey"),
]
PERIOD = "August 2025 – January 2026"

QUOTES = [
    (
        QuoteSource.CLIENT,
        "I got a call within two days. I would not have joined a waiting list.",
        "A parent of a baby",
    ),
    (
        QuoteSource.STAFF,
        "I no longer send a worried parent away with only a phone number.",
        "A public health nurse",
    ),
]

ADOPTER = "Northern service centre"
ADOPTION_FORM = "The same model with the centre's own psychologist"

# Segments of the winner's page beyond those ideas.demo translates already.
OUTCOME_STRINGS = {
    "fi": {
        "Nurses at the clinic meet parents whose mental well-being worries them — after a "
        "miscarriage, during infertility treatment or in the first months with a baby — but a "
        "referral to mental health services takes weeks, and many parents never go.": "Neuvolan "
        "terveydenhoitajat tapaavat vanhempia, joiden hyvinvointi huolestuttaa — keskenmenon "
        "jälkeen, hedelmöityshoitojen aikana tai vauvan ensimmäisinä kuukausina — mutta lähete "
        "mielenterveyspalveluihin vie viikkoja, ja moni ei koskaan mene.",
        "Each clinic has a named psychologist from the mental health services. The nurse books "
        "a consultation in a shared calendar; the psychologist calls the parent when the nurse "
        "and the parent agree, and the two professionals plan the follow-up together.": "Joka "
        "neuvolalla on nimetty psykologi mielenterveyspalveluista. Terveydenhoitaja varaa "
        "konsultaation yhteisestä kalenterista; psykologi soittaa vanhemmalle, kun tämä on "
        "siihen suostunut, ja ammattilaiset suunnittelevat jatkon yhdessä.",
        "Pregnant women, parents of babies under one year and their partners.": "Raskaana "
        "olevat, alle vuoden ikäisten vauvojen vanhemmat ja heidän kumppaninsa.",
        "Nurse notices a worry → referral → waiting list → first appointment weeks later, if "
        "the parent still goes.": "Terveydenhoitaja huomaa huolen → lähete → jono → "
        "ensimmäinen aika viikkojen päästä, jos vanhempi vielä menee.",
        "Nurse notices a worry → consultation the same week → psychologist contacts the "
        "parent → follow-up planned together.": "Terveydenhoitaja huomaa huolen → "
        "konsultaatio samalla viikolla → psykologi ottaa yhteyttä vanhempaan → jatko "
        "suunnitellaan yhdessä.",
        "Psychologist, Public health nurse": "Psykologi, terveydenhoitaja",
        "Two clinics chosen for the pilot": "Pilottiin valittiin kaksi neuvolaa",
        "Part of every clinic's services": "Osa jokaisen neuvolan palveluja",
        METRICS[0][0]: "Päivät huolen heräämisestä ensimmäiseen yhteydenottoon",
        METRICS[1][0]: "Huolestuneet vanhemmat, jotka tapasivat psykologin",
        METRICS[2][0]: "Terveydenhoitajat, jotka ottavat mielenterveyden puheeksi varmasti",
        "days": "päivää",
        "%": "%",
        "Patient records": "Potilastiedot",
        "Staff survey": "Henkilöstökysely",
        PERIOD: "elokuu 2025 – tammikuu 2026",
        QUOTES[0][1]: "Minulle soitettiin kahdessa päivässä. Jonoon en olisi mennyt.",
        QUOTES[0][2]: "Vauvan vanhempi",
        QUOTES[1][1]: "En enää lähetä huolestunutta vanhempaa matkaan pelkän puhelinnumeron "
        "kanssa.",
        QUOTES[1][2]: "Terveydenhoitaja",
        ADOPTER: "Pohjoinen palvelukeskus",
        ADOPTION_FORM: "Sama malli keskuksen omalla psykologilla",
        UPDATES[0][1]: "Ensimmäiset neljä kuukautta",
        UPDATES[0][2]: "Kahden neuvolan terveydenhoitajat konsultoivat psykologia 112 kertaa; "
        "83 vanhempaan otettiin yhteyttä viikon sisällä.",
        UPDATES[1][1]: "Pilotissa tehtiin kymmenen parannusta",
        UPDATES[1][2]: "Yhteinen kalenteri korvasi puhelut, psykologi osallistuu neuvolan "
        "tiimipalaveriin kerran kuussa, ja vanhempi voi valita videopuhelun.",
    },
    "sv": {
        "Nurses at the clinic meet parents whose mental well-being worries them — after a "
        "miscarriage, during infertility treatment or in the first months with a baby — but a "
        "referral to mental health services takes weeks, and many parents never go.": "På "
        "rådgivningen möter hälsovårdarna föräldrar vars psykiska välmående oroar dem — efter "
        "ett missfall, under fertilitetsbehandling eller under de första månaderna med en "
        "baby — men en remiss till mentalvården tar veckor, och många går aldrig dit.",
        "Each clinic has a named psychologist from the mental health services. The nurse books "
        "a consultation in a shared calendar; the psychologist calls the parent when the nurse "
        "and the parent agree, and the two professionals plan the follow-up together.": "Varje "
        "rådgivning har en namngiven psykolog från mentalvården. Hälsovårdaren bokar en "
        "konsultation i en gemensam kalender; psykologen ringer föräldern när föräldern gått "
        "med på det, och de två planerar uppföljningen tillsammans.",
        "Pregnant women, parents of babies under one year and their partners.": "Gravida, "
        "föräldrar till barn under ett år och deras partner.",
        "Nurse notices a worry → referral → waiting list → first appointment weeks later, if "
        "the parent still goes.": "Hälsovårdaren märker en oro → remiss → kö → första tiden "
        "veckor senare, om föräldern ännu går dit.",
        "Nurse notices a worry → consultation the same week → psychologist contacts the "
        "parent → follow-up planned together.": "Hälsovårdaren märker en oro → konsultation "
        "samma vecka → psykologen kontaktar föräldern → uppföljningen planeras tillsammans.",
        "Psychologist, Public health nurse": "Psykolog, hälsovårdare",
        "Two clinics chosen for the pilot": "Två rådgivningar valdes för piloten",
        "Part of every clinic's services": "En del av varje rådgivnings tjänster",
        METRICS[0][0]: "Dagar från hälsovårdarens oro till första kontakten",
        METRICS[1][0]: "Oroade föräldrar som träffade en psykolog",
        METRICS[2][0]: "Hälsovårdare som tryggt tar upp psykisk hälsa",
        "days": "dagar",
        "%": "%",
        "Patient records": "Patientjournaler",
        "Staff survey": "Personalenkät",
        PERIOD: "augusti 2025 – januari 2026",
        QUOTES[0][1]: "Jag blev uppringd inom två dagar. Jag hade inte ställt mig i kö.",
        QUOTES[0][2]: "En förälder till en baby",
        QUOTES[1][1]: "Jag skickar inte längre iväg en orolig förälder med bara ett telefonnummer.",
        QUOTES[1][2]: "En hälsovårdare",
        ADOPTER: "Norra servicecentret",
        ADOPTION_FORM: "Samma modell med centrets egen psykolog",
        UPDATES[0][1]: "De första fyra månaderna",
        UPDATES[0][2]: "Hälsovårdarna på två rådgivningar konsulterade psykologen 112 gånger; "
        "83 föräldrar kontaktades inom en vecka.",
        UPDATES[1][1]: "Tio förbättringar gjordes i piloten",
        UPDATES[1][2]: "En gemensam kalender ersatte telefonsamtalen, psykologen deltar i "
        "rådgivningens teammöte en gång i månaden, och föräldern kan välja videosamtal.",
    },
}


def publish_winner(page: InnovationPage, *, by) -> InnovationPage:
    """The coordinator's edits to the drafted winner page, its pilot so far, then publishing
    and the Finnish and Swedish translations."""
    page = page.get_latest_revision_as_object()
    page.slug = WINNER["slug"]
    page.summary = WINNER["summary"]
    page.jury_rationale = WINNER["rationale"]
    page.client_group = ClientGroup.FAMILIES
    page.show_criterion_scores = True
    page.status_changes = [
        PilotStatusChange(
            status=PilotStatus.PLANNED,
            date=date(2025, 6, 2),
            note="Two clinics chosen for the pilot",
        ),
        PilotStatusChange(status=PilotStatus.PILOTING, date=date(2025, 8, 18)),
        PilotStatusChange(
            status=PilotStatus.PERMANENT,
            date=date(2026, 3, 2),
            note="Part of every clinic's services",
        ),
    ]
    page.metrics = [
        Metric(
            name=name,
            unit=unit,
            baseline=Decimal(baseline),
            result=Decimal(result),
            period=PERIOD,
            source=source,
        )
        for name, unit, baseline, result, source in METRICS
    ]
    page.quotes = [Quote(source=source, text=text, group=group) for source, text, group in QUOTES]
    page.adoptions = [
        Adoption(
            adopter=ADOPTER,
            kind=AdopterKind.CENTRE,
            adopted_on=date(2026, 2, 2),
            form=ADOPTION_FORM,
        )
    ]
    page.updates = [
        ("update", {"date": when, "heading": heading, "text": f"<p>{text}</p>"})
        for when, heading, text in UPDATES
    ]
    page.save_revision(user=by).publish(user=by)
    page = InnovationPage.objects.get(pk=page.pk)
    for language in ("fi", "sv"):
        translate(
            page,
            language=language,
            strings=STRINGS[language] | OUTCOME_STRINGS[language],
        )
    return page


def publish_runner_up(page: InnovationPage, *, by) -> InnovationPage:
    """The runner-up's page, published in English as drafted, piloting since the autumn."""
    page = page.get_latest_revision_as_object()
    page.client_group = ClientGroup.IMMIGRANTS
    page.status_changes = [PilotStatusChange(status=PilotStatus.PILOTING, date=date(2025, 9, 1))]
    page.save_revision(user=by).publish(user=by)
    return InnovationPage.objects.get(pk=page.pk)
