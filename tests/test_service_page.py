"""The service's web page in headless Chromium: upload a file and read the timed, scored
words and the subtitle downloads; a bad file's error message; a recording from a (fake)
microphone. A real server (uvicorn on 127.0.0.1) serves the session's trained BiLSTM."""

from __future__ import annotations

from pathlib import Path

import pytest

from speech_lstm.service.config import ServeConfig
from tests.browser import chromium_driver
from tests.service_fixtures import post_audio, running_server

LOW_CONFIDENCE = 0.9
FAKE_MICROPHONE = ("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream")


@pytest.fixture(scope="module")
def server(trained_bilstm):
    config = ServeConfig(model_dir=str(trained_bilstm.model_dir), low_confidence=LOW_CONFIDENCE)
    with running_server(config) as running:
        yield running


def page_state(browser) -> dict:
    return browser.execute_script(
        """
        const $ = (id) => document.getElementById(id);
        return {
          result: !$("result").hidden, error: $("error").hidden ? null : $("error").textContent,
          status: $("status").textContent,
          words: [...document.querySelectorAll("#transcript .word")].map(
            (s) => [s.textContent, s.classList.contains("low"), s.title]),
          rows: $("words").tBodies[0].rows.length,
        };"""
    )


def wait_for(browser, condition, timeout: float = 90) -> dict:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, timeout, poll_frequency=0.1).until(lambda b: condition(page_state(b)))
    return page_state(browser)


def download(browser, link_id: str) -> str:
    """The content behind a download link (a blob URL the page made)."""
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"fetch(document.getElementById('{link_id}').href).then(r => r.text()).then(done);"
    )


def test_page_transcribes_an_upload_and_explains_a_bad_file(server, trained_bilstm, tmp_path):
    from selenium.webdriver.common.by import By

    audio = Path(trained_bilstm.audio_paths[0])
    row = post_audio(server.url + "/v1/transcribe", audio, {"timestamps": "true"}).json()
    subtitles = {
        f: post_audio(server.url + "/v1/transcribe", audio, {"format": f}).text
        for f in ("srt", "vtt")
    }
    not_audio = tmp_path / "minutes.wav"
    not_audio.write_text("Minutes of the meeting\n" * 50)
    with chromium_driver(tmp_path / "profile") as browser:
        browser.get(server.url + "/")
        wait_for(
            browser, lambda s: "Model speech-lstm" in browser.find_element(By.ID, "model-line").text
        )
        browser.find_element(By.ID, "file").send_keys(str(audio))
        browser.find_element(By.ID, "transcribe").click()
        uploaded = wait_for(browser, lambda s: s["result"] or s["error"])
        srt, vtt = download(browser, "download-srt"), download(browser, "download-vtt")
        srt_name = browser.find_element(By.ID, "download-srt").get_attribute("download")

        browser.find_element(By.ID, "file").send_keys(str(not_audio))
        browser.find_element(By.ID, "transcribe").click()
        refused = wait_for(browser, lambda s: s["error"])
        console = browser.get_log("browser")
    assert uploaded["error"] is None and uploaded["status"].startswith(f"Done: {audio.name}")
    assert [w[0] for w in uploaded["words"]] == [w["word"] for w in row["words"]]
    assert [w[1] for w in uploaded["words"]] == [
        w["confidence"] < LOW_CONFIDENCE for w in row["words"]
    ]
    first = row["words"][0]
    assert uploaded["words"][0][2] == (
        f"{first['start']:.2f}–{first['end']:.2f} s · confidence {first['confidence']:.2f}"
    )
    assert uploaded["rows"] == len(row["words"])
    assert (srt, vtt) == (subtitles["srt"], subtitles["vtt"])
    assert srt_name == audio.stem + ".srt"
    assert "'minutes.wav' is not audio" in refused["error"]
    assert not refused["result"]
    severe = [e for e in console if e["level"] == "SEVERE" and "status of 400" not in e["message"]]
    assert severe == [], severe


def test_page_records_from_the_microphone(server, tmp_path):
    from selenium.webdriver.common.by import By

    with chromium_driver(tmp_path / "profile", FAKE_MICROPHONE) as browser:
        browser.get(server.url + "/")
        wait_for(browser, lambda s: "Model" in browser.find_element(By.ID, "model-line").text)
        browser.find_element(By.ID, "record").click()
        wait_for(browser, lambda s: browser.find_element(By.ID, "record-note").text == "Recording…")
        browser.execute_script("return new Promise((done) => setTimeout(done, 1500))")
        browser.find_element(By.ID, "record").click()
        state = wait_for(browser, lambda s: s["result"] or s["error"])
    assert state["error"] is None, state
    assert state["status"].startswith("Done: recording.wav")
    seconds = float(state["status"].split(", ")[1].split(" s")[0])
    assert 1.0 < seconds < 3.0
