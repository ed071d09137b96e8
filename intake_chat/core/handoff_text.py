"""What a visitor is told around a live handoff (finding someone, queued and when to expect
contact, a person joined, ended the chat or handed back to the assistant), in every locale.

Reviewed words only: the functions here pick sentences and fill in times, names and the safety
file's resource labels; they never make up wording. Imports only handoff.py (pure).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from .handoff import Expectation

LOCALES = ("en", "es")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "finding_one": "I'm looking for someone on our team who is free to chat. This can take "
        "up to a minute. Please stay here in this chat.",
        "finding_many": "I'm looking for someone on our team who is free to chat. This can take "
        "up to {minutes} minutes. Please stay here in this chat.",
        "reason_closed": "Our office is closed right now, so no one from our team can join "
        "this chat.",
        "reason_no_staff": "No one from our team is free to chat right now.",
        "reason_timeout": "I'm sorry, no one from our team was able to join in time.",
        "queued": "I've passed your request on to our intake team.",
        "contact_open": "Someone will contact you as soon as they can, during office hours. "
        "We're open today until {close}.",
        "contact_open_until": "Someone will contact you as soon as they can, during office "
        "hours. We're open until {when}.",
        "contact_next": "Our office opens again {when}, and someone will contact you after "
        "that, during office hours.",
        "contact_any": "Someone from our team will contact you as soon as they can.",
        "no_contact": "We don't have a phone number or email address for you, so our team "
        "can't reach out to you.",
        "no_contact_open": "You're welcome to call or email the practice; we're open today "
        "until {close}.",
        "no_contact_open_until": "You're welcome to call or email the practice; we're open "
        "until {when}.",
        "no_contact_next": "You're welcome to call or email the practice when we open again "
        "{when}.",
        "no_contact_any": "You're welcome to call or email the practice.",
        "restart_hint": "Or select Start over and choose to make a referral, so our team can "
        "contact you.",
        "crisis": "If you need help right now: {resources}.",
        "joined": "{name} from our team has joined the chat.",
        "joined_anonymous": "A member of our team has joined the chat.",
        "ended": "{name} has ended the chat. Thank you for talking with us.",
        "ended_anonymous": "Our team member has ended the chat. Thank you for talking with us.",
        "to_bot": "{name} has handed the chat back to me, the assistant. Let's pick up where "
        "we left off.",
        "to_bot_anonymous": "Our team member has handed the chat back to me, the assistant. "
        "Let's pick up where we left off.",
        "team": "Intake team",
        "today": "today at {time}",
        "tomorrow": "tomorrow at {time}",
        "weekday": "on {day} at {time}",
    },
    "es": {
        "finding_one": "Estoy buscando a alguien de nuestro equipo que esté disponible para "
        "chatear. Esto puede tardar hasta un minuto. Por favor, quédese en este chat.",
        "finding_many": "Estoy buscando a alguien de nuestro equipo que esté disponible para "
        "chatear. Esto puede tardar hasta {minutes} minutos. Por favor, quédese en este chat.",
        "reason_closed": "Nuestra oficina está cerrada en este momento, así que nadie de "
        "nuestro equipo puede unirse a este chat.",
        "reason_no_staff": "En este momento no hay nadie de nuestro equipo disponible para "
        "chatear.",
        "reason_timeout": "Lo siento, nadie de nuestro equipo pudo unirse a tiempo.",
        "queued": "Ya pasé su solicitud a nuestro equipo de admisión.",
        "contact_open": "Alguien se pondrá en contacto con usted lo antes posible, en horario "
        "de oficina. Hoy estamos abiertos hasta {close}.",
        "contact_open_until": "Alguien se pondrá en contacto con usted lo antes posible, en "
        "horario de oficina. Estamos abiertos hasta {when}.",
        "contact_next": "Nuestra oficina vuelve a abrir {when}, y alguien se pondrá en "
        "contacto con usted a partir de entonces, en horario de oficina.",
        "contact_any": "Alguien de nuestro equipo se pondrá en contacto con usted lo antes "
        "posible.",
        "no_contact": "No tenemos un número de teléfono ni un correo electrónico suyo, así que "
        "nuestro equipo no puede comunicarse con usted.",
        "no_contact_open": "Puede llamar o escribir a la consulta; hoy estamos abiertos hasta "
        "{close}.",
        "no_contact_open_until": "Puede llamar o escribir a la consulta; estamos abiertos "
        "hasta {when}.",
        "no_contact_next": "Puede llamar o escribir a la consulta cuando volvamos a abrir {when}.",
        "no_contact_any": "Puede llamar o escribir a la consulta.",
        "restart_hint": "O seleccione Empezar de nuevo y elija hacer una solicitud, para que "
        "nuestro equipo pueda comunicarse con usted.",
        "crisis": "Si necesita ayuda ahora mismo: {resources}.",
        "joined": "{name}, de nuestro equipo, se unió al chat.",
        "joined_anonymous": "Una persona de nuestro equipo se unió al chat.",
        "ended": "{name} terminó el chat. Gracias por hablar con nosotros.",
        "ended_anonymous": "La persona de nuestro equipo terminó el chat. Gracias por hablar "
        "con nosotros.",
        "to_bot": "{name} me devolvió el chat a mí, el asistente. Sigamos donde lo dejamos.",
        "to_bot_anonymous": "La persona de nuestro equipo me devolvió el chat a mí, el "
        "asistente. Sigamos donde lo dejamos.",
        "team": "Equipo de admisión",
        "today": "hoy a {time}",
        "tomorrow": "mañana a {time}",
        "weekday": "el {day} a {time}",
    },
}

DAY_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
}


def _locale(locale: str) -> str:
    return locale if locale in TEXT else LOCALES[0]


def _say(key: str, locale: str, **values: str) -> str:
    return TEXT[_locale(locale)][key].format(**values)


def clock(at: datetime, locale: str) -> str:
    """``5:00 PM EST``; in Spanish ``las 17:00 (EST)`` (``la 1:30`` for one o'clock), so the
    sentences can say "hasta {close}" and "a {time}" correctly."""
    zone = at.tzname() or ""
    if _locale(locale) == "es":
        article = "la" if at.hour == 1 else "las"
        return f"{article} {at.hour}:{at.minute:02d}" + (f" ({zone})" if zone else "")
    hour = at.hour % 12 or 12
    suffix = "AM" if at.hour < 12 else "PM"
    return f"{hour}:{at.minute:02d} {suffix}" + (f" {zone}" if zone else "")


def when(at: datetime, days_ahead: int, locale: str) -> str:
    """``today at 9:00 AM EST``, ``tomorrow at …``, ``on Monday at …``."""
    time = clock(at, locale)
    if days_ahead <= 0:
        return _say("today", locale, time=time)
    if days_ahead == 1:
        return _say("tomorrow", locale, time=time)
    return _say("weekday", locale, day=DAY_NAMES[_locale(locale)][at.weekday()], time=time)


def finding(locale: str, wait_seconds: int) -> str:
    minutes = max(1, -(-wait_seconds // 60))
    if minutes == 1:
        return _say("finding_one", locale)
    return _say("finding_many", locale, minutes=str(minutes))


def _contact(expectation: Expectation, locale: str, *, reachable: bool) -> list[str]:
    """How and when contact will happen; for a visitor we cannot reach, how they can reach us."""
    prefix = "contact" if reachable else "no_contact"
    at = expectation.at
    if expectation.kind == "open" and at is not None:
        if expectation.days_ahead == 0:
            sentence = _say(f"{prefix}_open", locale, close=clock(at, locale))
        else:
            sentence = _say(
                f"{prefix}_open_until", locale, when=when(at, expectation.days_ahead, locale)
            )
    elif expectation.kind == "next" and at is not None:
        sentence = _say(f"{prefix}_next", locale, when=when(at, expectation.days_ahead, locale))
    else:
        sentence = _say(f"{prefix}_any", locale)
    if reachable:
        return [sentence]
    return [_say("no_contact", locale), sentence, _say("restart_hint", locale)]


def crisis_line(resources: Sequence[Mapping[str, str]], locale: str) -> str:
    """The safety file's resource labels, listed in one sentence."""
    labels = [str(item.get("label", "")).strip() for item in resources]
    listed = "; ".join(label for label in labels if label)
    return _say("crisis", locale, resources=listed) if listed else ""


def queued(
    locale: str,
    reason: str,
    expectation: Expectation,
    *,
    reachable: bool,
    resources: Sequence[Mapping[str, str]],
) -> str:
    """Why no one joins (``closed``, ``no_staff`` or ``timeout``), that the request is with the
    team, when to expect contact, and the crisis resources again."""
    parts = [_say(f"reason_{reason}", locale), _say("queued", locale)]
    parts += _contact(expectation, locale, reachable=reachable)
    line = crisis_line(resources, locale)
    if line:
        parts.append(line)
    return " ".join(parts)


def staff_event(key: str, locale: str, name: str) -> str:
    """``joined``, ``ended`` or ``to_bot``, with the staff member's display name when there is
    one (never their email)."""
    if name.strip():
        return _say(key, locale, name=name.strip())
    return _say(f"{key}_anonymous", locale)


def team_name(locale: str) -> str:
    return _say("team", locale)
