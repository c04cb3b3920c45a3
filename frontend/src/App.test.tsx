import { render, screen } from "@testing-library/react";
import { expect, test } from "vitest";

import { App } from "./App";

test("the app renders the route it is opened at", () => {
  window.history.pushState({}, "", "/corpora/1");
  render(<App />);
  expect(screen.getByRole("heading", { name: "Corpus" })).toBeTruthy();
});
