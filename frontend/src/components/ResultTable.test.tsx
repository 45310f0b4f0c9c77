import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { ResultTable } from "./ResultTable";

const table = {
  columns: ["customer", "revenue", "first_order"],
  rows: [
    ["Bo", 1200.5, "2025-02-01"],
    ["Ann", 98000, "2024-11-20"],
    ["Cy", null, "2025-01-05"],
  ],
};

function bodyColumn(index: number): string[] {
  const rows = within(screen.getByRole("table")).getAllByRole("row").slice(1);
  return rows.map((row) => within(row).getAllByRole("cell")[index]?.textContent ?? "");
}

describe("ResultTable", () => {
  it("shows every column and formats numbers, dates and empty cells", () => {
    render(<ResultTable table={table} caption="Revenue" />);
    expect(screen.getAllByRole("columnheader").map((th) => th.textContent?.replace(/[▲▼↕]/g, ""))).toEqual([
      "customer",
      "revenue",
      "first_order",
    ]);
    expect(bodyColumn(1)).toEqual([expect.stringMatching(/1,200\.50/), expect.stringMatching(/98,000\.00/), "—"]);
    expect(bodyColumn(2)[0]).toMatch(/2025/);
    expect(bodyColumn(2)[0]).not.toBe("2025-02-01");
  });

  it("sorts by a column on click, then reverses, and says so with aria-sort", async () => {
    const user = userEvent.setup();
    render(<ResultTable table={table} caption="Revenue" />);
    const header = screen.getByRole("columnheader", { name: /revenue/ });
    await user.click(within(header).getByRole("button"));
    expect(header).toHaveAttribute("aria-sort", "ascending");
    expect(bodyColumn(0)).toEqual(["Bo", "Ann", "Cy"]);
    await user.click(within(header).getByRole("button"));
    expect(header).toHaveAttribute("aria-sort", "descending");
    expect(bodyColumn(0)).toEqual(["Ann", "Bo", "Cy"]);
  });

  it("sorts with the keyboard too", async () => {
    const user = userEvent.setup();
    render(<ResultTable table={table} caption="Revenue" />);
    within(screen.getByRole("columnheader", { name: /customer/ })).getByRole("button").focus();
    await user.keyboard("{Enter}");
    expect(bodyColumn(0)).toEqual(["Ann", "Bo", "Cy"]);
  });

  it("paginates a long result and moves between pages", async () => {
    const user = userEvent.setup();
    const rows = Array.from({ length: 60 }, (_, i) => [`row ${i + 1}`, i + 1, null]);
    render(<ResultTable table={{ columns: table.columns, rows }} caption="Long" initialPageSize={25} />);
    expect(bodyColumn(0)).toHaveLength(25);
    expect(screen.getByTestId("page-status")).toHaveTextContent("Rows 1–25 of 60 · page 1 of 3");
    expect(screen.getByRole("button", { name: "Previous page" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Next page" }));
    await user.click(screen.getByRole("button", { name: "Next page" }));
    expect(screen.getByTestId("page-status")).toHaveTextContent("Rows 51–60 of 60 · page 3 of 3");
    expect(bodyColumn(0)).toEqual(Array.from({ length: 10 }, (_, i) => `row ${i + 51}`));
    expect(screen.getByRole("button", { name: "Next page" })).toBeDisabled();
  });

  it("changes the page size and goes back to the first page", async () => {
    const user = userEvent.setup();
    const rows = Array.from({ length: 60 }, (_, i) => [`row ${i + 1}`, i, null]);
    render(<ResultTable table={{ columns: table.columns, rows }} caption="Long" />);
    await user.click(screen.getByRole("button", { name: "Next page" }));
    await user.selectOptions(screen.getByRole("combobox", { name: "Rows per page" }), "50");
    expect(screen.getByTestId("page-status")).toHaveTextContent("Rows 1–50 of 60");
  });

  it("sorting a paginated result sorts all rows, not just the page", async () => {
    const user = userEvent.setup();
    const rows = Array.from({ length: 30 }, (_, i) => [`r${i}`, i, null]);
    render(<ResultTable table={{ columns: table.columns, rows }} caption="Long" initialPageSize={10} />);
    const header = screen.getByRole("columnheader", { name: /revenue/ });
    await user.click(within(header).getByRole("button"));
    await user.click(within(header).getByRole("button"));
    expect(bodyColumn(1)[0]).toBe("29");
  });

  it("has no page controls when everything fits on one page", () => {
    render(<ResultTable table={table} caption="Revenue" />);
    expect(screen.queryByRole("navigation", { name: "Result pages" })).not.toBeInTheDocument();
  });
});
