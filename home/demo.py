"""Demo content of the site shell: accounts, the home page, an about page.

Each app's ``demo.py`` has ``load() -> list[DemoAccount]``; ``manage.py load_demo`` calls them
in INSTALLED_APPS order. Every step looks for what it would create first, so a second run
changes nothing.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.translation import gettext, override
from wagtail.models import Locale, Page, Site
from wagtail_localize.models import Translation, TranslationSource

from .addresses import set_site_address
from .models import HomePage, SiteSettings, StandardPage


@dataclass(frozen=True)
class DemoAccount:
    role: str
    username: str
    password: str

    @property
    def email(self) -> str:
        return f"{self.username}@example.org"


ADMIN = DemoAccount("administrator", "admin", "ideatori-admin")
COORDINATOR = DemoAccount("coordinator", "coordinator", "ideatori-coordinator")


def translate(page: Page, *, language: str, strings: dict[str, str]) -> Page:
    """Translate a page through wagtail-localize, as a translator uploading a PO file would.

    ``strings`` maps English segments to their translations; a segment not in it is looked up
    in the message catalogue (the default criteria's texts are there). A segment found in
    neither is an error, so demo pages never fall back to English unnoticed. The parent must
    be translated first.
    """
    locale = Locale.objects.get(language_code=language)
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing
    source, _ = TranslationSource.get_or_create_from_instance(page)
    translation, _ = Translation.objects.get_or_create(source=source, target_locale=locale)
    po = translation.export_po()
    with override(language):
        for entry in po:
            entry.msgstr = strings.get(entry.msgid) or gettext(entry.msgid)
    missing = [
        entry.msgid for entry in po if entry.msgstr == entry.msgid and entry.msgid not in strings
    ]
    if missing:
        raise KeyError(f"No {language} demo text for: {missing}")
    translation.import_po(po)
    # save_target(publish=True) publishes on commit from a revision that holds the page as
    # it was before its children existed, which resets the parent's child count inside an
    # outer transaction. Publishing the stored revision here reads the page afresh.
    translation.save_target(publish=False)
    translated = page.get_translation(locale)
    translated.get_latest_revision().publish()
    return translated.specific


def ensure_user(account: DemoAccount, *, superuser: bool = False, group: str | None = None):
    """A demo account that signs in with its e-mail address, already verified."""
    User = get_user_model()
    user = User.objects.filter(username=account.username).first()
    if user is None:
        user = User(username=account.username, email=account.email)
        user.is_superuser = user.is_staff = superuser
        user.set_password(account.password)
        user.save()
        EmailAddress.objects.create(user=user, email=account.email, verified=True, primary=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


HOME_INTRO = (
    "<p>Every year the service units of our service centre propose new ways to serve "
    "clients. A jury scores the ideas, the best are piloted, and here you can read what won, "
    "why, and what the pilots achieved.</p>"
)
ABOUT_INTRO = "How the yearly innovation competition works and who takes part."
ABOUT_BODY = [
    ("heading", {"text": "Ideas from the people who do the work", "level": "h2"}),
    (
        "paragraph",
        "<p>Health, social, library, youth and employment services share one building. "
        "Their staff see every day where clients fall between services. The competition "
        "asks them to fix it together.</p>",
    ),
    ("heading", {"text": "From idea to everyday service", "level": "h2"}),
    (
        "paragraph",
        "<p>Teams from one or more units send in a service model. The jury scores each "
        "idea against published criteria and explains its choice. Winners are piloted, "
        "and the results are reported here with figures.</p>",
    ),
    (
        "quote",
        {
            "text": "The best ideas start from the client, not from the organisation chart.",
            "attribution": "The jury of the first round",
        },
    ),
]

HOME_STRINGS = {
    "fi": {
        "Ideatori": "Ideatori",
        "home": "koti",
        "Every year the service units of our service centre propose new ways to serve clients. "
        "A jury scores the ideas, the best are piloted, and here you can read what won, why, "
        "and what the pilots achieved.": "Palvelukeskuksemme palveluyksiköt ehdottavat joka "
        "vuosi uusia tapoja palvella asiakkaita. Raati pisteyttää ideat, parhaat pilotoidaan, "
        "ja täältä voit lukea, mikä voitti, miksi ja mitä pilotit saivat aikaan.",
    },
    "sv": {
        "Ideatori": "Ideatori",
        "home": "hem",
        "Every year the service units of our service centre propose new ways to serve clients. "
        "A jury scores the ideas, the best are piloted, and here you can read what won, why, "
        "and what the pilots achieved.": "Varje år föreslår servicecentrets enheter nya sätt "
        "att betjäna klienterna. En jury poängsätter idéerna, de bästa pilottestas, och här "
        "kan du läsa vad som vann, varför och vad piloterna ledde till.",
    },
}

ABOUT_STRINGS = {
    "fi": {
        "About the competition": "Tietoa kilpailusta",
        "about": "tietoa",
        ABOUT_INTRO: "Miten vuosittainen innovaatiokilpailu toimii ja ketkä siihen osallistuvat.",
        "Ideas from the people who do the work": "Ideat tulevat työn tekijöiltä",
        "Health, social, library, youth and employment services share one building. Their staff "
        "see every day where clients fall between services. The competition asks them to fix it "
        "together.": "Terveys-, sosiaali-, kirjasto-, nuoriso- ja työllisyyspalvelut toimivat "
        "samassa talossa. Henkilöstö näkee joka päivä, missä asiakkaat putoavat palvelujen "
        "väliin. Kilpailu pyytää heitä korjaamaan sen yhdessä.",
        "From idea to everyday service": "Ideasta arjen palveluksi",
        "Teams from one or more units send in a service model. The jury scores each idea against "
        "published criteria and explains its choice. Winners are piloted, and the results are "
        "reported here with figures.": "Yhden tai useamman yksikön tiimit lähettävät "
        "palvelumallin. Raati pisteyttää jokaisen idean julkaistujen kriteerien mukaan ja "
        "perustelee valintansa. Voittajat pilotoidaan, ja tulokset kerrotaan täällä lukuina.",
        "The best ideas start from the client, not from the organisation chart.": "Parhaat "
        "ideat lähtevät asiakkaasta, eivät organisaatiokaaviosta.",
        "The jury of the first round": "Ensimmäisen kierroksen raati",
    },
    "sv": {
        "About the competition": "Om tävlingen",
        "about": "om",
        ABOUT_INTRO: "Hur den årliga innovationstävlingen fungerar och vem som deltar.",
        "Ideas from the people who do the work": "Idéer från dem som gör jobbet",
        "Health, social, library, youth and employment services share one building. Their staff "
        "see every day where clients fall between services. The competition asks them to fix it "
        "together.": "Hälso-, social-, biblioteks-, ungdoms- och sysselsättningstjänster "
        "finns i samma hus. Personalen ser varje dag var klienterna faller mellan tjänsterna. "
        "Tävlingen ber dem lösa det tillsammans.",
        "From idea to everyday service": "Från idé till vardaglig tjänst",
        "Teams from one or more units send in a service model. The jury scores each idea against "
        "published criteria and explains its choice. Winners are piloted, and the results are "
        "reported here with figures.": "Team från en eller flera enheter skickar in en "
        "servicemodell. Juryn poängsätter varje idé enligt publicerade kriterier och motiverar "
        "sitt val. Vinnarna pilottestas och resultaten redovisas här med siffror.",
        "The best ideas start from the client, not from the organisation chart.": "De bästa "
        "idéerna utgår från klienten, inte från organisationsschemat.",
        "The jury of the first round": "Juryn i den första omgången",
    },
}


DEMO_ADDRESS = "http://127.0.0.1:8000"
ORGANISATION_NAMES = {
    "en": "Ideatori – the service centre's idea square",
    "fi": "Ideatori – palvelukeskuksen ideatori",
    "sv": "Ideatori – servicecentrets idétorg",
}


def load() -> list[DemoAccount]:
    admin = ensure_user(ADMIN, superuser=True)
    ensure_user(COORDINATOR, group="Coordinators")

    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    if not isinstance(home, HomePage):
        raise TypeError("The default site's root page is not a HomePage; migrate first.")
    if not home.intro:
        home.intro = HOME_INTRO
        home.save_revision(user=admin).publish()

    about = StandardPage.objects.child_of(home).filter(slug="about").first()
    if about is None:
        about = home.add_child(
            instance=StandardPage(
                title="About the competition",
                slug="about",
                intro=ABOUT_INTRO,
                body=ABOUT_BODY,
                show_in_menus=True,
            )
        )
        about.save_revision(user=admin).publish()

    set_site_address(django_settings.IDEATORI_SITE_URL or DEMO_ADDRESS)
    settings = SiteSettings.for_site(site)
    if not settings.organisation_name_en:
        for language, name in ORGANISATION_NAMES.items():
            setattr(settings, f"organisation_name_{language}", name)
        settings.contact_email = "innovations@example.org"
        settings.contact_phone = "+358 9 123 4567"
        settings.accessibility_statement = about
        settings.save()

    for language in ("fi", "sv"):
        translate(home, language=language, strings=HOME_STRINGS[language])
        translate(about, language=language, strings=ABOUT_STRINGS[language])
    return [ADMIN, COORDINATOR]
