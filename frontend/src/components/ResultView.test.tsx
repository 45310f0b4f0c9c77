import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ResultView } from "./ResultView";

const byCategory = { columns: ["category", "total_sales"], rows: [["Magic", 980], ["Books", 120.25]] };

// jsdom's Blob has no text(); FileReader reads it, keeping the byte order mark.
function blobText(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new TextDecoder("utf-8", { ignoreBOM: true }).decode(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error ?? new Error("read failed"));
    reader.readAsArrayBuffer(blob);
  });
}

describe("ResultView", () => {
  it("shows the table and a bar chart side by side for categories with numbers", async () => {
    render(<ResultView table={byCategory} question="Sales by category" />);
    expect(screen.getByRole("tab", { name: "Both" })).toHaveAttribute("aria-selected", "true");
    expect(screen.getByRole("table")).toBeInTheDocument();
    const chart = await screen.findByTestId("result-chart");
    expect(chart).toHaveAttribute("data-chart-type", "bar");
    expect(chart).toHaveAccessibleName("Bar chart of total_sales by category");
  });

  it("switches between table and chart", async () => {
    const user = userEvent.setup();
    render(<ResultView table={byCategory} question="Sales by category" />);
    await user.click(screen.getByRole("tab", { name: "Chart" }));
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
    expect(await screen.findByTestId("result-chart")).toBeInTheDocument();
    await user.click(screen.getByRole("tab", { name: "Table" }));
    expect(screen.getByRole("table")).toBeInTheDocument();
    expect(screen.queryByTestId("result-chart")).not.toBeInTheDocument();
  });

  it("moves between the view tabs with the arrow keys", async () => {
    const user = userEvent.setup();
    render(<ResultView table={byCategory} question="Sales by category" />);
    screen.getByRole("tab", { name: "Both" }).focus();
    await user.keyboard("{ArrowRight}");
    expect(screen.getByRole("tab", { name: "Table" })).toHaveAttribute("aria-selected", "true");
    expect(screen.getByRole("tab", { name: "Table" })).toHaveFocus();
  });

  it("draws a line chart for a date column", async () => {
    render(<ResultView table={{ columns: ["month", "sales"], rows: [["2025-01", 5], ["2025-02", 8]] }} question="Monthly sales" />);
    expect(await screen.findByTestId("result-chart")).toHaveAttribute("data-chart-type", "line");
  });

  it("offers no chart for a result that does not suit one", () => {
    render(<ResultView table={{ columns: ["first", "last"], rows: [["Ann", "Lee"], ["Bo", "Chen"]] }} question="Names" />);
    expect(screen.queryByRole("tablist")).not.toBeInTheDocument();
    expect(screen.queryByTestId("result-chart")).not.toBeInTheDocument();
    expect(screen.getByRole("table")).toBeInTheDocument();
  });

  it("shows a one-cell answer as a headline number, still copyable as CSV", () => {
    render(<ResultView table={{ columns: ["total_sales"], rows: [[57838.29]] }} question="Total" />);
    const value = screen.getByTestId("single-value");
    expect(value).toHaveTextContent("total sales");
    expect(value).toHaveTextContent("57,838.29");
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Copy CSV" })).toBeInTheDocument();
  });

  it("copies the rows as CSV", async () => {
    const user = userEvent.setup();
    render(<ResultView table={byCategory} question="Sales by category" />);
    await user.click(screen.getByRole("button", { name: "Copy CSV" }));
    expect(await navigator.clipboard.readText()).toBe("category,total_sales\r\nMagic,980\r\nBooks,120.25\r\n");
    expect(screen.getByRole("button", { name: "Copied" })).toBeInTheDocument();
    expect(screen.getByText("Copied to the clipboard")).toBeInTheDocument();
  });

  it("downloads the rows as a CSV file named after the question", async () => {
    const user = userEvent.setup();
    const created: Blob[] = [];
    // jsdom has no object URLs; these stand in for the browser's.
    URL.createObjectURL = vi.fn((blob: Blob) => {
      created.push(blob);
      return "blob:test";
    });
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      expect(this.download).toBe("sales-by-category.csv");
    });
    render(<ResultView table={byCategory} question="Sales by category" />);
    await user.click(screen.getByRole("button", { name: "Download CSV" }));
    expect(click).toHaveBeenCalledOnce();
    expect(await blobText(created[0]!)).toBe("\ufeffcategory,total_sales\r\nMagic,980\r\nBooks,120.25\r\n");
    expect(created[0]?.type).toBe("text/csv;charset=utf-8");
    await waitFor(() => expect(screen.getByText("Downloaded sales-by-category.csv")).toBeInTheDocument());
  });
});
