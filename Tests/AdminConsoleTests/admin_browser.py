#!/usr/bin/python3
"""Drives the Tollgate admin console in headless Chromium (Debian's chromium + chromium-driver +
python3-selenium), as an administrator at a desk would: no JavaScript of our own.

Usage: admin_browser.py console BASE_URL ADMIN PASSWORD OUTSIDER OUTSIDER_PASSWORD GROUP USER SCREENSHOT_DIR DOCUMENT

As ADMIN: signs in, adds an account with soft and hard limits restricted to GROUP (first with a
soft limit above the hard one, to see the error next to the field), credits USER, reads the
report and its CSV, edits the rates card "campus" (broken), prices DOCUMENT with it. As OUTSIDER (not in the admin group): signs in and reads the status of every
console page (403 expected). Prints one JSON object with what was seen and the screenshots.
"""
import json
import os
import sys
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait
from selenium.webdriver.support import expected_conditions as EC

PAGES = ["/admin", "/admin/accounts", "/admin/accounts?archived=1", "/admin/accounts/new", "/admin/accounts/1",
         "/admin/users", "/admin/user?name=x", "/admin/reports", "/admin/reports.csv", "/admin/ledger", "/admin/check", "/admin/rates",
         "/admin/rates/card?name=campus", "/admin/queues", "/admin/clients"]


def browser(width, height):
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--disable-extensions", f"--window-size={width},{height}",
                     "--force-device-scale-factor=1"):
        options.add_argument(argument)
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    return driver


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(driver, url):
    """GET url with the browser's cookies, without following redirects: (status, body)."""
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=20) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def sign_in(driver, wait, base, user, password):
    driver.get(base + "/admin")
    wait.until(EC.presence_of_element_located((By.ID, "admin-signin")))
    driver.find_element(By.ID, "user").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "signin-submit").click()


def console(base, admin, password, outsider, outsider_password, group, user, shots, document):
    result = {"screenshots": []}

    def shot(driver, name):
        path = os.path.join(shots, name)
        driver.save_screenshot(path)
        result["screenshots"].append(path)

    driver = browser(1280, 1500)
    try:
        wait = WebDriverWait(driver, 20)
        driver.get(base + "/admin")
        wait.until(EC.presence_of_element_located((By.ID, "admin-signin")))
        shot(driver, "admin-1-sign-in.png")
        sign_in(driver, wait, base, admin, password)
        wait.until(EC.presence_of_element_located((By.ID, "add-account")))
        result["afterSignIn"] = driver.current_url

        driver.find_element(By.ID, "add-account").click()
        wait.until(EC.presence_of_element_located((By.ID, "account-form")))
        driver.find_element(By.ID, "name").send_keys("Physics <Lab> & Co")
        driver.find_element(By.ID, "code").send_keys("PHY-LAB")
        driver.find_element(By.ID, "allocation-limited").click()
        driver.find_element(By.ID, "soft").send_keys("150")
        driver.find_element(By.ID, "hard").send_keys("100")
        driver.find_element(By.ID, "access-restricted").click()
        driver.find_element(By.ID, "groups").send_keys(group)
        driver.find_element(By.ID, "save-account").click()
        error = wait.until(EC.presence_of_element_located((By.ID, "soft-error")))
        result["softError"] = error.text
        shot(driver, "admin-2-field-error.png")
        soft = driver.find_element(By.ID, "soft")
        soft.clear()
        soft.send_keys("50")
        driver.find_element(By.ID, "save-account").click()
        notice = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".notice.success")))
        result["addedNotice"] = notice.text
        shot(driver, "admin-3-account-added.png")
        driver.get(base + "/admin/accounts")
        result["accountsTable"] = driver.find_element(By.ID, "accounts").text
        shot(driver, "admin-4-accounts.png")

        driver.get(base + "/admin/users?q=" + user)
        driver.find_element(By.CSS_SELECTOR, "#open-new a, #users a").click()
        wait.until(EC.presence_of_element_located((By.ID, "credit-form")))
        driver.find_element(By.ID, "credit-amount").send_keys("12.50")
        driver.find_element(By.ID, "credit-reason").send_keys("welcome credit")
        driver.find_element(By.ID, "credit-submit").click()
        notice = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".notice.success")))
        result["creditNotice"] = notice.text
        result["balances"] = driver.find_element(By.ID, "balances").text
        result["ledger"] = driver.find_element(By.ID, "ledger").text
        shot(driver, "admin-5-user-credited.png")

        driver.get(base + "/admin/reports")
        Select(driver.find_element(By.ID, "chart-metric")).select_by_value("credited")
        driver.find_element(By.ID, "run-report").click()
        wait.until(EC.presence_of_element_located((By.ID, "report")))
        result["report"] = driver.find_element(By.ID, "report").text
        result["chart"] = len(driver.find_elements(By.CSS_SELECTOR, "#chart svg rect"))
        shot(driver, "admin-6-report.png")
        href = driver.find_element(By.ID, "download-csv").get_attribute("href")
        status, body = fetch(driver, href)
        result["csvStatus"] = status
        result["csv"] = body

        driver.get(base + "/admin/rates")
        driver.find_element(By.LINK_TEXT, "campus").click()
        wait.until(EC.presence_of_element_located((By.ID, "card-rules")))
        result["cardRules"] = driver.find_element(By.ID, "card-rules").text
        shot(driver, "admin-7-rates-card.png")
        area = driver.find_element(By.ID, "toml")
        original = area.get_attribute("value")
        area.send_keys(Keys.CONTROL, "a")
        area.send_keys(Keys.DELETE)
        area.send_keys(original + '\n[[rule]]\nname = "broken"\nper_side = "lots"\n')
        driver.find_element(By.ID, "save-card").click()
        error = wait.until(EC.presence_of_element_located((By.ID, "toml-error")))
        result["cardError"] = error.text
        shot(driver, "admin-8-rates-card-error.png")
        driver.find_element(By.ID, "document").send_keys(document)
        driver.find_element(By.ID, "quote-submit").click()
        total = wait.until(EC.presence_of_element_located((By.ID, "quote-total")))
        result["quoteTotal"] = total.text
        result["quoteReceipt"] = driver.find_element(By.ID, "quote-receipt").text
        driver.execute_script("arguments[0].scrollIntoView()", driver.find_element(By.ID, "quote"))
        shot(driver, "admin-8b-quote.png")

        driver.get(base + "/admin/check")
        result["check"] = driver.find_element(By.ID, "check-result").text
        shot(driver, "admin-9-check.png")
        driver.find_element(By.ID, "sign-out").click()
        wait.until(EC.presence_of_element_located((By.ID, "admin-signin")))

        sign_in(driver, wait, base, outsider, outsider_password)
        wait.until(EC.presence_of_element_located((By.ID, "forbidden")))
        result["outsiderPage"] = driver.find_element(By.TAG_NAME, "main").text
        shot(driver, "admin-10-outsider-forbidden.png")
        result["outsiderStatuses"] = {page: fetch(driver, base + page)[0] for page in PAGES}
        driver.get(base + "/admin/accounts")
        result["outsiderAccountsPage"] = driver.find_element(By.TAG_NAME, "main").text
    finally:
        driver.quit()
    return result


def main():
    if len(sys.argv) != 11 or sys.argv[1] != "console":
        print(__doc__, file=sys.stderr)
        return 2
    _, _, base, admin, password, outsider, outsider_password, group, user, shots, document = sys.argv
    os.makedirs(shots, exist_ok=True)
    print(json.dumps(console(base, admin, password, outsider, outsider_password, group, user, shots, document)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
