import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { EXAMPLE_GROUPS, EXAMPLE_QUESTIONS } from "../lib/examples";
import { ExampleQuestions } from "./ExampleQuestions";

describe("ExampleQuestions", () => {
  it("shows one titled group per sample database and one spanning both", () => {
    render(<ExampleQuestions onAsk={vi.fn()} />);
    const titles = screen.getAllByRole("heading", { level: 3 }).map((heading) => heading.textContent);
    expect(titles).toEqual(["Shop", "Support desk", "Both"]);
    const both = screen.getByRole("region", { name: "Both" });
    expect(within(both).getByRole("button", { name: "What is the revenue of the products that have open support tickets?" })).toBeInTheDocument();
    const support = screen.getByRole("region", { name: "Support desk" });
    expect(within(support).getAllByRole("button").length).toBeGreaterThanOrEqual(2);
  });

  it("offers every question once, each group's under its title", () => {
    render(<ExampleQuestions onAsk={vi.fn()} />);
    expect(screen.getAllByRole("button")).toHaveLength(EXAMPLE_QUESTIONS.length);
    expect(new Set(EXAMPLE_QUESTIONS).size).toBe(EXAMPLE_QUESTIONS.length);
    for (const group of EXAMPLE_GROUPS) {
      const region = screen.getByRole("region", { name: group.title });
      expect(within(region).getAllByRole("button").map((b) => b.textContent)).toEqual([...group.questions]);
    }
  });

  it("asks a question with one click, and not while disabled", async () => {
    const user = userEvent.setup();
    const onAsk = vi.fn();
    const { rerender } = render(<ExampleQuestions onAsk={onAsk} />);
    await user.click(screen.getByRole("button", { name: "How many support tickets are open right now?" }));
    expect(onAsk).toHaveBeenCalledWith("How many support tickets are open right now?");
    rerender(<ExampleQuestions onAsk={onAsk} disabled />);
    expect(screen.getByRole("button", { name: "What are the sales by category?" })).toBeDisabled();
  });
});
