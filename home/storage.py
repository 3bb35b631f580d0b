"""Where files live: Django's named storages (``settings.STORAGES``) and what happens when one
does not answer.

``default`` holds public media (Wagtail images, their renditions, documents); ``attachments``
holds the teams' files, which only the permission-checked views hand out. Both are folders on
this machine unless the settings name S3-compatible buckets (``ideatori.settings.base``).
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

ATTACHMENTS = "attachments"
MEDIA = "default"
# A name never stored: asking whether it exists makes the store answer without listing it.
PROBE = ".ideatori-health-probe"

# What a store that cannot be reached raises: a refused or timed-out connection, an error
# answer from the S3 endpoint (5xx, a missing bucket, a refused key), or a folder that cannot
# be read or written.
STORE_ERRORS = (BotoCoreError, ClientError, OSError)


class StorageUnavailable(Exception):
    """The file store did not answer; the caller says so to the person and loses nothing."""


class NamedStorage(LazyObject):
    """``storages[alias]``, looked up on first use and again after the settings change.

    A model field's ``storage`` callable is called once, when the model class is made; this
    object lets that happen before the storages are configured and keeps following them.
    """

    def __init__(self, alias: str):
        self.__dict__["_alias"] = alias
        super().__init__()

    def _setup(self):
        self._wrapped = storages[self.__dict__["_alias"]]


_named: dict[str, NamedStorage] = {}


def named_storage(alias: str) -> Storage:
    if alias not in _named:
        _named[alias] = NamedStorage(alias)
    return _named[alias]


@receiver(setting_changed)
def _forget_storages(*, setting, **kwargs):
    if setting == "STORAGES":
        for storage in _named.values():
            storage._wrapped = empty


@contextmanager
def store_errors():
    """Turn whatever an unreachable store raises into ``StorageUnavailable``."""
    try:
        yield
    except STORE_ERRORS as error:
        raise StorageUnavailable(str(error)) from error


def open_for_download(file):
    """Open a stored file for reading and fetch its first bytes now, so that a store that does
    not answer fails here, before a response has started, rather than halfway through one."""
    with store_errors():
        handle = file.open("rb")
        handle.read(0)
        handle.seek(0)
        return handle


def reachable(alias: str) -> bool:
    """Whether the store answers a question about one name (a HEAD request on S3)."""
    try:
        storages[alias].exists(PROBE)
    except STORE_ERRORS:
        return False
    return True


@dataclass
class CopyReport:
    copied: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    # Present in the target with other contents: left as they are, for a person to look at.
    differing: list[str] = field(default_factory=list)


def copy_folder(source: Path, target: Storage) -> CopyReport:
    """Copy every file under ``source`` into ``target`` under the same name (its path relative
    to ``source``, which is the name the database holds). A file already in the target with
    the same size is left alone, so running it again copies only what is new."""
    report = CopyReport()
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        name = path.relative_to(source).as_posix()
        if target.exists(name):
            same = target.size(name) == path.stat().st_size
            (report.already_there if same else report.differing).append(name)
            continue
        with path.open("rb") as data:
            stored = target.save(name, File(data, name=name))
        if stored != name:  # never expected: the name was free a moment ago
            raise StorageUnavailable(f"{name} was stored as {stored}")
        report.copied.append(name)
    return report
