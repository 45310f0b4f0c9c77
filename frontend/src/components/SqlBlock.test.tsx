import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { SqlBlock } from "./SqlBlock";

const SQL = "SELECT name FROM products WHERE name = '<b>x</b>'";

describe("SqlBlock", () => {
  it("highlights SQL keywords without injecting markup from the query", () => {
    render(<SqlBlock sql={SQL} />);
    const code = screen.getByTestId("sql-code");
    expect(code).toHaveTextContent(SQL);
    expect(code.querySelector(".hljs-keyword")).toHaveTextContent("SELECT");
    expect(code.querySelector("b")).toBeNull();
  });

  it("folds and unfolds with its toggle", async () => {
    const user = userEvent.setup();
    render(<SqlBlock sql={SQL} />);
    const toggle = screen.getByRole("button", { name: "Hide SQL" });
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    await user.click(toggle);
    expect(screen.getByRole("button", { name: "Show SQL" })).toHaveAttribute("aria-expanded", "false");
    expect(screen.getByTestId("sql-code").closest("pre")).not.toBeVisible();
  });

  it("copies the SQL as written", async () => {
    const user = userEvent.setup();
    render(<SqlBlock sql={SQL} />);
    await user.click(screen.getByRole("button", { name: "Copy SQL" }));
    expect(await navigator.clipboard.readText()).toBe(SQL);
  });
});
