import { act, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ProgressView } from "./ProgressView";

const NOW = "2026-12-04T10:00:00.000Z";

describe("ProgressView", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("shows the latest stage's message and marks the current step", () => {
    render(
      <ProgressView
        askedAt={new Date().toISOString()}
        events={[
          { stage: "gathering", message: "Reading 2 servers", elapsed_ms: 10 },
          { stage: "validating", message: "Checking the SQL", elapsed_ms: 1500 },
        ]}
      />,
    );
    expect(screen.getByRole("status")).toHaveTextContent("Checking the SQL");
    expect(screen.getByText("Checking SQL")).toHaveAttribute("aria-current", "step");
    expect(screen.getByText("Reading the servers")).toHaveClass("step-done");
  });

  it("shows which attempt a retry is", () => {
    render(<ProgressView askedAt={NOW} events={[{ stage: "retrying", message: "The SQL failed; trying again", attempt: 2, max_attempts: 3 }]} />);
    expect(screen.getByRole("status")).toHaveTextContent("Attempt 2 of 3");
    expect(screen.getByText("Writing SQL")).toHaveAttribute("aria-current", "step");
  });

  it("says the question is on its way before any event arrives", () => {
    render(<ProgressView askedAt={NOW} events={[]} />);
    expect(screen.getByRole("status")).toHaveTextContent("Sending the question…");
  });

  it("ticks the elapsed time while no event arrives", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date(NOW));
    render(<ProgressView askedAt={NOW} events={[{ stage: "generating", message: "Writing SQL", elapsed_ms: 68 }]} />);
    expect(screen.getByRole("timer")).toHaveTextContent("0 ms");
    act(() => {
      vi.advanceTimersByTime(2_400);
    });
    expect(screen.getByRole("timer")).toHaveTextContent("2.4 s");
    act(() => {
      vi.advanceTimersByTime(60_000);
    });
    expect(screen.getByRole("timer")).toHaveTextContent("62 s");
    expect(screen.getByRole("status")).toHaveTextContent("Writing SQL");
  });
});
