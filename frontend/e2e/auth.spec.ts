import { expect, test } from "@playwright/test";

import { DEMO, shot, signIn } from "./support";

test("a wrong password is refused with a clear message; the demo login signs in and out", async ({ page }, info) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expect(page.getByRole("complementary", { name: "Demo login" })).toContainText(DEMO.password);
  await shot(page, info, "sign-in");

  await page.getByLabel("Username").fill(DEMO.username);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("The username or password is wrong.");
  await shot(page, info, "sign-in-wrong-password");

  await page.getByRole("button", { name: "Use demo login" }).click();
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toHaveText(DEMO.username);
  await expect(page.getByRole("heading", { name: "Library" })).toBeVisible();

  await page.reload(); // the session survives a reload
  await expect(page.getByTestId("current-user")).toHaveText(DEMO.username);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});

test("a bookmarked URL opened signed out shows that page after signing in", async ({ page }) => {
  await signIn(page, "/corpora/1");
  await expect(page.getByRole("heading", { level: 1, name: "Demo contracts" })).toBeVisible();
});
