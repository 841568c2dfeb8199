"""Drives the billing console in headless Chromium for Tollgate's browser test.

Usage: console_browser.py SCENARIO.json

The scenario (written by Tests/TollgateCLITests/ConsoleBrowserTests.swift) names the console's
base URL, the Chromium and chromedriver binaries, a folder for screenshots and the profile,
the users' credentials and a list of journeys, each a list of steps. A step does one thing
(visit a path, sign in with the form or with the keyboard only, click, fill and submit a
form) and then checks what the browser shows: the document's HTTP status, its path, the h1,
elements by CSS selector (an attribute's or the text's exact value, a count, absence) and
text that must appear nowhere in the page.

On every page the driver also checks, without being asked: no SEVERE entry in the browser's
console (Content-Security-Policy violations are reported there), basic accessibility (html
lang, one h1, every field labelled, every table with header cells), that every link, form
and asset stays on the console's origin, and that the page fits a phone's width. It saves a
screenshot at 1280x900 and at 390x844 per step.

Before the journeys, the checks run once on a page made to break each of them, so a checker
that stopped seeing problems fails the run instead of passing it.

Writes RESULT (the scenario's "result" path) as JSON: every failure with its journey, step,
page and selector; the pages visited; the number of screenshots. Exits 0 when it could run
the scenario (the Swift test judges the result), 2 when the browser could not be started.
"""
import json
import os
import sys
import time
import traceback
import urllib.parse

# Nothing is ever downloaded: the driver and the browser are Debian's, named below, and
# Selenium Manager (which would fetch a driver) must never run.
os.environ["SE_OFFLINE"] = "true"

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.selenium_manager import SeleniumManager
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait


def refuse_selenium_manager(self, *args, **kwargs):
    raise RuntimeError("Selenium Manager was asked for a driver; the test passes /usr/bin/chromedriver and downloads nothing")


SeleniumManager.binary_paths = refuse_selenium_manager

DESKTOP = (1280, 900)
PHONE = (390, 844)

# Accessibility facts of a page, as a list of problems (empty when all hold).
ACCESSIBILITY = """
const problems = [];
const lang = document.documentElement.getAttribute('lang');
if (!lang || !lang.trim()) problems.push({selector: 'html', message: 'html has no lang attribute'});
const h1 = document.querySelectorAll('h1');
if (h1.length !== 1) problems.push({selector: 'h1', message: 'the page has ' + h1.length + ' h1 elements, not one'});
if (!document.title.trim()) problems.push({selector: 'title', message: 'the page has no title'});
function describe(el) {
  let text = el.tagName.toLowerCase();
  if (el.id) text += '#' + el.id;
  if (el.getAttribute('name')) text += '[name="' + el.getAttribute('name') + '"]';
  const form = el.closest('form');
  if (form) text = 'form' + (form.id ? '#' + form.id : (form.className ? '.' + form.className.split(' ')[0] : '')) + ' ' + text;
  return text;
}
for (const el of document.querySelectorAll('input, select, textarea')) {
  const type = (el.getAttribute('type') || '').toLowerCase();
  if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
  const byFor = el.id && Array.from(document.querySelectorAll('label')).some(l => l.htmlFor === el.id && l.textContent.trim());
  const wrapped = el.closest('label') && el.closest('label').textContent.trim();
  const aria = (el.getAttribute('aria-label') || '').trim() ||
    (el.getAttribute('aria-labelledby') || '').split(/\\s+/).some(id => id && document.getElementById(id) && document.getElementById(id).textContent.trim());
  if (!byFor && !wrapped && !aria) problems.push({selector: describe(el), message: 'a form field without a label'});
}
for (const button of document.querySelectorAll('button, input[type=submit]')) {
  const name = (button.textContent || button.value || button.getAttribute('aria-label') || '').trim();
  if (!name) problems.push({selector: describe(button), message: 'a button without a name'});
}
document.querySelectorAll('table').forEach((table, index) => {
  if (!table.querySelector('th')) problems.push({selector: 'table' + (table.id ? '#' + table.id : ':nth-of-type(' + (index + 1) + ')'), message: 'a table without header cells (th)'});
});
const ids = {};
for (const el of document.querySelectorAll('[id]')) ids[el.id] = (ids[el.id] || 0) + 1;
for (const id in ids) if (ids[id] > 1) problems.push({selector: '#' + id, message: 'the id is used ' + ids[id] + ' times'});
return problems;
"""

# Every URL the page refers to (links, forms, assets), resolved against the page.
REFERENCES = """
const refs = [];
for (const el of document.querySelectorAll('[href], [src], form[action]')) {
  const raw = el.getAttribute('href') ?? el.getAttribute('src') ?? el.getAttribute('action');
  if (raw === null || raw.startsWith('#')) continue;
  let url;
  try { url = new URL(raw, document.baseURI).href; } catch (e) { url = raw; }
  refs.push({selector: el.tagName.toLowerCase() + (el.id ? '#' + el.id : ''), url: url});
}
return refs;
"""

OVERFLOW = "return [document.documentElement.scrollWidth, window.innerWidth];"

# A page made to fail every page check (inline script refused by its own policy, no lang,
# two h1, an unlabelled field, a table without th, a link to another origin).
BROKEN_PAGE = ("data:text/html;charset=utf-8," + urllib.parse.quote(
    "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">"
    "<title>broken</title></head><body><h1>a</h1><h1>b</h1><script>document.title = 'ran';</script>"
    "<form><input id=\"x\" name=\"x\"></form><table><tr><td>1</td></tr></table>"
    "<a href=\"http://example.invalid/\">away</a><div class=\"wide\"></div></body></html>"))


class Run:
    def __init__(self, scenario):
        self.scenario = scenario
        self.base = scenario["base_url"].rstrip("/")
        self.origin = urllib.parse.urlsplit(self.base)
        self.folder = scenario["folder"]
        self.failures = []
        self.visited = []
        self.screenshots = 0
        self.journey = ""
        self.step = ""
        self.step_index = 0
        self.driver = None

    # MARK: Browser

    def start(self):
        options = webdriver.ChromeOptions()
        options.binary_location = self.scenario.get("chromium", "/usr/bin/chromium")
        for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--user-data-dir=" + os.path.join(self.folder, "profile"),
                         "--window-size=%d,%d" % DESKTOP, "--no-first-run", "--no-default-browser-check",
                         "--disable-extensions", "--disable-background-networking", "--disable-sync",
                         "--disable-component-update", "--disable-default-apps", "--lang=en-US"]:
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        service = Service(executable_path=self.scenario.get("chromedriver", "/usr/bin/chromedriver"),
                          log_output=os.path.join(self.folder, "chromedriver.log"))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(20)
        self.driver.set_window_size(*DESKTOP)

    def drain_logs(self):
        self.driver.get_log("browser")
        self.driver.get_log("performance")

    def document_statuses(self):
        """The HTTP statuses of the documents loaded since the last call, in order (redirects too)."""
        statuses = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            if message.get("method") == "Network.requestWillBeSent" and params.get("type") == "Document" and params.get("redirectResponse"):
                statuses.append(params["redirectResponse"]["status"])
            elif message.get("method") == "Network.responseReceived" and params.get("type") == "Document":
                statuses.append(params["response"]["status"])
        return statuses

    def wait_for_navigation(self, old_root):
        def replaced(driver):
            try:
                return expected_conditions.staleness_of(old_root)(driver)
            except WebDriverException as error:
                # Asked in the middle of the swap, Chromium may answer that the node belongs to
                # no document any more: the old page is gone all the same.
                if "does not belong to the document" in str(error):
                    return True
                raise
        WebDriverWait(self.driver, 15).until(replaced)
        WebDriverWait(self.driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")

    def navigating(self, action):
        old_root = self.driver.find_element(By.TAG_NAME, "html")
        action()
        self.wait_for_navigation(old_root)

    # MARK: Failures

    def fail(self, kind, message, selector=None, expected=None, actual=None):
        self.failures.append({"journey": self.journey, "step": self.step, "page": self.path(), "kind": kind,
                              "selector": selector, "expected": expected, "actual": actual, "message": message})

    def path(self):
        try:
            parts = urllib.parse.urlsplit(self.driver.current_url)
        except Exception:
            return None
        return parts.path + ("?" + parts.query if parts.query else "")

    # MARK: Self-test

    def self_test(self):
        """The page checks see each fault of a page made to have them all."""
        self.journey, self.step = "self-test", "checks find the faults of a broken page"
        self.drain_logs()
        self.driver.get(BROKEN_PAGE)
        time.sleep(0.2)
        severe = [e for e in self.driver.get_log("browser") if e.get("level") == "SEVERE"]
        if not any("Content Security Policy" in e.get("message", "") for e in severe):
            self.fail("harness", "a refused inline script was not seen in the console log", actual=severe)
        if self.driver.title == "ran":
            self.fail("harness", "the inline script ran despite the page's Content-Security-Policy")
        found = sorted(p["message"] for p in self.driver.execute_script(ACCESSIBILITY))
        wanted = sorted(["html has no lang attribute", "the page has 2 h1 elements, not one", "a form field without a label",
                         "a table without header cells (th)"])
        if found != wanted:
            self.fail("harness", "the accessibility checks did not find exactly the broken page's faults", expected=wanted, actual=found)
        refs = [r["url"] for r in self.driver.execute_script(REFERENCES)]
        if "http://example.invalid/" not in refs:
            self.fail("harness", "a link to another origin was not found", actual=refs)
        self.driver.execute_script("document.querySelector('.wide').setAttribute('width', '1'); "
                                   "document.querySelector('.wide').innerHTML = '<svg width=\"2000\" height=\"1\"></svg>';")
        self.driver.set_window_size(*PHONE)
        wide, inner = self.driver.execute_script(OVERFLOW)
        self.driver.set_window_size(*DESKTOP)
        if wide <= inner:
            self.fail("harness", "content wider than a phone was not noticed", actual=[wide, inner])
        self.drain_logs()

    # MARK: Steps

    def run(self):
        self.self_test()
        for journey in self.scenario["journeys"]:
            self.journey = journey["name"]
            self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
            self.driver.get("about:blank")
            self.drain_logs()
            for index, step in enumerate(journey["steps"]):
                self.step_index = index + 1
                self.step = step["name"]
                try:
                    statuses = self.act(step)
                except (WebDriverException, TimeoutException, KeyError, ValueError) as error:
                    self.fail("action", "the step could not be done: %s" % (str(error).strip().splitlines() or [type(error).__name__])[0],
                              actual=traceback.format_exc(limit=2).splitlines()[-1])
                    continue
                self.check_page(step, statuses)

    def act(self, step):
        driver = self.driver
        self.drain_logs()
        if "visit" in step:
            driver.get(self.base + step["visit"])
        elif "sign_in" in step:
            user = self.scenario["users"][step["sign_in"]]
            driver.get(self.base + step.get("from", self.scenario.get("login_path", "/console/login")))
            driver.find_element(By.CSS_SELECTOR, "form.login #email").send_keys(user["email"])
            driver.find_element(By.CSS_SELECTOR, "form.login #password").send_keys(user["password"])
            self.navigating(lambda: driver.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click())
        elif "keyboard_sign_in" in step:
            self.keyboard_sign_in(self.scenario["users"][step["keyboard_sign_in"]])
        elif "click" in step:
            self.navigating(lambda: driver.find_element(By.CSS_SELECTOR, step["click"]).click())
        elif "submit" in step:
            form = driver.find_element(By.CSS_SELECTOR, step["submit"])
            for name, value in step.get("fill", {}).items():
                field = form.find_element(By.CSS_SELECTOR, "[name=\"%s\"]" % name)
                if field.tag_name == "select":
                    driver.execute_script("arguments[0].value = arguments[1];", field, value)
                else:
                    field.clear()
                    field.send_keys(value)
            button = form.find_elements(By.CSS_SELECTOR, step.get("button", "button[type=submit], input[type=submit]"))
            if not button:
                raise ValueError("no submit button in %s" % step["submit"])
            self.navigating(lambda: button[0].click())
        else:
            raise ValueError("a step needs one of visit, sign_in, keyboard_sign_in, click, submit")
        return self.document_statuses()

    def keyboard_sign_in(self, user):
        """Signs in with the keyboard only: the focus starts in the email field (or Tab takes
        it there), Tab moves to the password, Enter sends the form."""
        driver = self.driver
        driver.get(self.base + self.scenario.get("login_path", "/console/login"))
        actions = ActionChains(driver)
        for _ in range(6):
            if driver.switch_to.active_element.get_attribute("id") == "email":
                break
            actions.send_keys(Keys.TAB).perform()
        else:
            raise ValueError("Tab never reached the email field")
        ActionChains(driver).send_keys(user["email"]).send_keys(Keys.TAB).perform()
        focused = driver.switch_to.active_element.get_attribute("id")
        if focused != "password":
            raise ValueError("Tab from the email field went to '%s', not the password" % focused)
        ActionChains(driver).send_keys(user["password"]).perform()
        self.navigating(lambda: ActionChains(driver).send_keys(Keys.ENTER).perform())

    # MARK: Checks

    def check_page(self, step, statuses):
        driver = self.driver
        path = self.path()
        self.visited.append({"journey": self.journey, "step": self.step, "path": path, "statuses": statuses})
        if "status" in step and (not statuses or statuses[-1] != step["status"]):
            self.fail("status", "the document's HTTP status", expected=step["status"], actual=statuses)
        if "redirected" in step and (len(statuses) > 1) != step["redirected"]:
            self.fail("status", "whether the browser was redirected", expected=step["redirected"], actual=statuses)
        if "path" in step and path != step["path"]:
            self.fail("path", "the page the browser ended on", expected=step["path"], actual=path)
        if "path_prefix" in step and not (path or "").startswith(step["path_prefix"]):
            self.fail("path", "the page the browser ended on", expected=step["path_prefix"] + "...", actual=path)
        if "title" in step:
            heading = [h.text.strip() for h in driver.find_elements(By.TAG_NAME, "h1")]
            if heading != [step["title"]]:
                self.fail("title", "the page's h1", selector="h1", expected=step["title"], actual=heading)
        for expectation in step.get("expect", []):
            self.check_expectation(expectation)
        source = driver.page_source
        for text in step.get("absent_text", []):
            if text in source:
                at = source.index(text)
                self.fail("leak", "text that must not be on this page is there", expected="absent: " + text,
                          actual=source[max(0, at - 120):at + 120])
        self.check_console(step.get("status"))
        self.check_accessibility()
        self.check_origins()
        self.screenshots_and_phone()

    def check_expectation(self, expectation):
        selector = expectation["css"]
        elements = self.driver.find_elements(By.CSS_SELECTOR, selector)
        if expectation.get("absent"):
            if elements:
                self.fail("expect", "an element that must not be there", selector=selector, expected="absent",
                          actual=elements[0].get_attribute("outerHTML")[:300])
            return
        if "count" in expectation:
            if len(elements) != expectation["count"]:
                self.fail("expect", "how many elements match", selector=selector, expected=expectation["count"], actual=len(elements))
            return
        if not elements:
            self.fail("expect", "no element matches", selector=selector, expected=expectation.get("equals", expectation.get("contains")))
            return
        element = elements[0]
        if "attribute" in expectation:
            actual = element.get_attribute(expectation["attribute"])
            label = "attribute " + expectation["attribute"]
        else:
            actual = " ".join((element.get_attribute("textContent") or "").split())
            label = "text"
        if "equals" in expectation and actual != expectation["equals"]:
            self.fail("expect", label, selector=selector, expected=expectation["equals"], actual=actual)
        if "contains" in expectation and (actual is None or expectation["contains"] not in actual):
            self.fail("expect", label + " (contains)", selector=selector, expected=expectation["contains"], actual=actual)

    def check_console(self, status):
        # Chromium reports an error status of the document itself in the console; a step
        # that expects that status (a 404 page, a refused sign-in) expects that one entry.
        expected = None
        if status and status >= 400:
            expected = "%s - Failed to load resource: the server responded with a status of %d" % (self.driver.current_url, status)
        for entry in self.driver.get_log("browser"):
            if entry.get("level") == "SEVERE" and not (expected and entry.get("message", "").startswith(expected)):
                self.fail("console", "a SEVERE entry in the browser's console", actual=entry.get("message"))

    def check_accessibility(self):
        for problem in self.driver.execute_script(ACCESSIBILITY):
            self.fail("accessibility", problem["message"], selector=problem["selector"])

    def check_origins(self):
        for ref in self.driver.execute_script(REFERENCES):
            parts = urllib.parse.urlsplit(ref["url"])
            if (parts.scheme, parts.netloc) != (self.origin.scheme, self.origin.netloc):
                self.fail("origin", "a link, form or asset of another origin", selector=ref["selector"], actual=ref["url"])

    def screenshots_and_phone(self):
        driver = self.driver
        stem = "%s-%02d-%s" % (slug(self.journey), self.step_index, slug(self.step))
        driver.save_screenshot(os.path.join(self.folder, "screenshots", stem + "-1280.png"))
        driver.set_window_size(*PHONE)
        try:
            wide, inner = driver.execute_script(OVERFLOW)
            if wide > inner + 1:
                self.fail("phone", "the page is wider than a phone's screen (%d px in %d px)" % (wide, inner), actual=wide)
            driver.save_screenshot(os.path.join(self.folder, "screenshots", stem + "-390.png"))
        finally:
            driver.set_window_size(*DESKTOP)
        self.screenshots += 2


def slug(text):
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")[:60]


def main():
    with open(sys.argv[1]) as f:
        scenario = json.load(f)
    os.makedirs(os.path.join(scenario["folder"], "screenshots"), exist_ok=True)
    run = Run(scenario)
    started = time.monotonic()
    try:
        run.start()
    except Exception as error:
        print("could not start Chromium: %s" % error, file=sys.stderr)
        return 2
    try:
        run.run()
    finally:
        try:
            run.driver.quit()
        except Exception:
            pass
    result = {"failures": run.failures, "visited": run.visited, "pages": len(run.visited),
              "screenshots": run.screenshots, "seconds": round(time.monotonic() - started, 2)}
    with open(scenario["result"], "w") as f:
        json.dump(result, f, indent=1)
    print("%d pages, %d screenshots, %d failures in %.1f s" % (len(run.visited), run.screenshots, len(run.failures),
                                                                time.monotonic() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
