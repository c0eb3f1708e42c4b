#!/usr/bin/python3
"""Drives the Tollgate release station in headless Chromium (Debian's chromium + chromium-driver
+ python3-selenium), as a person at a kiosk or on a phone would: no JavaScript of our own.

Usage: station_browser.py release BASE_URL USER PASSWORD JOB_ID ACCOUNT SCREENSHOT_DIR

Signs in with the password, checks that job JOB_ID is listed, chooses ACCOUNT, releases it, and
prints one JSON object: what the job card said, the notice after release, and the screenshots.
"""
import json
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from selenium.webdriver.support import expected_conditions as EC


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


def release(base, user, password, job_id, account, shots):
    result = {"screenshots": []}
    driver = browser(430, 1400)  # a phone's width; tall enough to see the balances
    try:
        wait = WebDriverWait(driver, 20)
        driver.get(base + "/")
        result["signInTitle"] = driver.title
        driver.find_element(By.ID, "user").send_keys(user)
        driver.find_element(By.ID, "password").send_keys(password)
        shot = os.path.join(shots, "station-1-sign-in.png")
        driver.save_screenshot(shot)
        result["screenshots"].append(shot)
        driver.find_element(By.ID, "password-submit").click()
        card = wait.until(EC.presence_of_element_located((By.ID, f"job-{job_id}")))
        result["url"] = driver.current_url
        result["jobCard"] = card.text
        result["price"] = card.find_element(By.CSS_SELECTOR, "dd.price").text
        chooser = Select(driver.find_element(By.ID, f"account-{job_id}"))
        result["accountOptions"] = [option.text for option in chooser.options]
        chooser.select_by_visible_text(account)
        shot = os.path.join(shots, "station-2-jobs.png")
        driver.save_screenshot(shot)
        result["screenshots"].append(shot)
        driver.find_element(By.ID, f"release-{job_id}").click()
        notice = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".notice")))
        result["notice"] = notice.text
        result["noticeKind"] = notice.get_attribute("class")
        result["jobStillListed"] = len(driver.find_elements(By.ID, f"job-{job_id}")) > 0
        result["balances"] = driver.find_element(By.ID, "balances").text
        shot = os.path.join(shots, "station-3-released.png")
        driver.save_screenshot(shot)
        result["screenshots"].append(shot)
        driver.find_element(By.ID, "sign-out").click()
        wait.until(EC.presence_of_element_located((By.ID, "password-form")))
        result["signedOut"] = True
    finally:
        driver.quit()
    return result


def main():
    if len(sys.argv) != 8 or sys.argv[1] != "release":
        print(__doc__, file=sys.stderr)
        return 2
    _, _, base, user, password, job_id, account, shots = sys.argv
    os.makedirs(shots, exist_ok=True)
    print(json.dumps(release(base, user, password, job_id, account, shots)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
