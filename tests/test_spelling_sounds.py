"""The plan words' readings kept with the index (service/qa/reading/spelling.py's SOUNDS_FILE):
the speller built from them is the one pypinyin would build, and a missing, foreign or
partial file falls back to pypinyin for what it lacks."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from index.search import Searcher
from index.store import load_index
from service.qa.calibrate import finalizer
from service.qa.engine import Engine
from service.qa.reading import spelling
from service.qa.reading.spelling import SOUNDS_FILE, Speller, read_sounds, write_sounds
from tests.fakes import FakeEmbedder

WORDS = ["知识产权", "质押融资", "商标注册", "地理标志", "重点", "银行", "abc", "一"]


def _same(a: Speller, b: Speller) -> bool:
    return (a.trie, a.by_letters, a.vocabulary) == (b.trie, b.by_letters, b.vocabulary)


def test_kept_readings_build_the_same_speller(tmp_path):
    computed = Speller(WORDS)
    write_sounds(tmp_path, computed.sounds)
    kept = read_sounds(tmp_path)
    assert kept == computed.sounds and kept["重点"] == ("zhong", "dian")
    calls = []
    real = spelling._term_syllables
    spelling._term_syllables = lambda term: calls.append(term) or real(term)
    try:
        assert _same(Speller(WORDS, sounds=kept), computed)
        assert calls == []  # nothing read with pypinyin
        # a word the file lacks (the lexicon grew since the build) is read with pypinyin
        grown = Speller([*WORDS, "专利"], sounds=kept)
    finally:
        spelling._term_syllables = real
    assert calls == ["专利"]
    assert _same(grown, Speller([*WORDS, "专利"]))
    assert grown.correct("知识产全 zscq") == "知识产权 知识产权"


def test_missing_foreign_or_broken_files_are_ignored(tmp_path):
    assert read_sounds(None) == {} and read_sounds(tmp_path) == {}
    write_sounds(tmp_path, Speller(WORDS).sounds)
    doc = json.loads((tmp_path / SOUNDS_FILE).read_text(encoding="utf-8"))
    doc["pypinyin"] = "0.0.1"  # another pypinyin may read a word otherwise
    (tmp_path / SOUNDS_FILE).write_text(json.dumps(doc), encoding="utf-8")
    assert read_sounds(tmp_path) == {}
    for broken in ("{", "[]", '{"pypinyin": null}'):
        (tmp_path / SOUNDS_FILE).write_text(broken, encoding="utf-8")
        assert read_sounds(tmp_path) == {}


def test_reading_a_question_does_not_import_pypinyin(tmp_path):
    write_sounds(tmp_path, Speller(WORDS).sounds)
    code = (
        "import sys\n"
        "from service.qa.reading.spelling import Speller, read_sounds\n"
        f"s = Speller({WORDS!r}, sounds=read_sounds({str(tmp_path)!r}))\n"
        "assert s.correct('商标注侧') == '商标注册', s.correct('商标注侧')\n"
        "assert 'pypinyin' not in sys.modules, sorted(m for m in sys.modules if 'pinyin' in m)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_build_keeps_the_plan_words_readings_and_the_engine_reads_them(fake_settings, tmp_path):
    folder = tmp_path / "index"
    shutil.copytree(Path(fake_settings.index_dir).resolve(), folder)
    (folder / SOUNDS_FILE).unlink(missing_ok=True)
    finalizer(FakeEmbedder(), tmp_path / "no-tuning-set.jsonl")(folder)  # as `ipqa build`
    kept = read_sounds(folder)
    assert len(kept) > 100
    index = load_index(folder, model=FakeEmbedder.model_id)
    assert index.folder == folder.resolve()
    calls = []
    real = spelling._term_syllables
    spelling._term_syllables = lambda term: calls.append(term) or real(term)
    try:
        engine = Engine(Searcher(index, FakeEmbedder()), cache_size=0)
    finally:
        spelling._term_syllables = real
    assert calls == [] and engine.reader.speller.sounds == kept
