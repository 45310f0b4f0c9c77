import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { Composer } from "./Composer";

describe("Composer", () => {
  it("sends on Enter and empties the box", async () => {
    const user = userEvent.setup();
    const onAsk = vi.fn();
    render(<Composer onAsk={onAsk} busy={false} />);
    const box = screen.getByRole("textbox", { name: "Your question" });
    await user.type(box, "Sales by category{Enter}");
    expect(onAsk).toHaveBeenCalledWith("Sales by category");
    expect(box).toHaveValue("");
  });

  it("adds a new line on Shift+Enter instead of sending", async () => {
    const user = userEvent.setup();
    const onAsk = vi.fn();
    render(<Composer onAsk={onAsk} busy={false} />);
    const box = screen.getByRole("textbox", { name: "Your question" });
    await user.type(box, "line one{Shift>}{Enter}{/Shift}line two");
    expect(onAsk).not.toHaveBeenCalled();
    expect(box).toHaveValue("line one\nline two");
  });

  it("does not send an empty question or while an answer is running", async () => {
    const user = userEvent.setup();
    const onAsk = vi.fn();
    const { rerender } = render(<Composer onAsk={onAsk} busy={false} />);
    await user.type(screen.getByRole("textbox"), "   {Enter}");
    expect(onAsk).not.toHaveBeenCalled();
    rerender(<Composer onAsk={onAsk} busy />);
    await user.type(screen.getByRole("textbox"), "next question{Enter}");
    expect(onAsk).not.toHaveBeenCalled();
    expect(screen.getByRole("button", { name: "Answering…" })).toBeDisabled();
  });
});
