import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ProgressView } from "./ProgressView";

describe("ProgressView", () => {
  it("shows the latest stage's message and marks the current step", () => {
    render(
      <ProgressView
        events={[
          { stage: "gathering", message: "Reading 2 servers", elapsed_ms: 10 },
          { stage: "validating", message: "Checking the SQL", elapsed_ms: 1500 },
        ]}
      />,
    );
    expect(screen.getByRole("status")).toHaveTextContent("Checking the SQL");
    expect(screen.getByRole("status")).toHaveTextContent("1.5 s");
    expect(screen.getByText("Checking SQL")).toHaveAttribute("aria-current", "step");
    expect(screen.getByText("Reading the servers")).toHaveClass("step-done");
  });

  it("shows which attempt a retry is", () => {
    render(<ProgressView events={[{ stage: "retrying", message: "The SQL failed; trying again", attempt: 2, max_attempts: 3 }]} />);
    expect(screen.getByRole("status")).toHaveTextContent("Attempt 2 of 3");
    expect(screen.getByText("Writing SQL")).toHaveAttribute("aria-current", "step");
  });

  it("says the question is on its way before any event arrives", () => {
    render(<ProgressView events={[]} />);
    expect(screen.getByRole("status")).toHaveTextContent("Sending the question…");
  });
});
