import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { TokenPrompt } from "./TokenPrompt";

describe("TokenPrompt", () => {
  it("is a modal dialog with the token field focused", () => {
    render(<TokenPrompt message="Missing bearer token" rejected={false} onSubmit={vi.fn()} onCancel={vi.fn()} />);
    const dialog = screen.getByRole("dialog", { name: "API token needed" });
    expect(dialog).toHaveAttribute("aria-modal", "true");
    expect(screen.getByLabelText("API token")).toHaveFocus();
    expect(dialog).toHaveTextContent("The API said: Missing bearer token");
  });

  it("hands over the trimmed token on Enter", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    render(<TokenPrompt message="" rejected={false} onSubmit={onSubmit} onCancel={vi.fn()} />);
    await user.type(screen.getByLabelText("API token"), "  s3cret  {Enter}");
    expect(onSubmit).toHaveBeenCalledWith("s3cret");
  });

  it("cannot be saved empty", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    render(<TokenPrompt message="" rejected={false} onSubmit={onSubmit} onCancel={vi.fn()} />);
    expect(screen.getByRole("button", { name: "Save token" })).toBeDisabled();
    await user.type(screen.getByLabelText("API token"), "{Enter}");
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("closes on Escape", async () => {
    const user = userEvent.setup();
    const onCancel = vi.fn();
    render(<TokenPrompt message="" rejected={false} onSubmit={vi.fn()} onCancel={onCancel} />);
    await user.keyboard("{Escape}");
    expect(onCancel).toHaveBeenCalledOnce();
  });

  it("keeps Tab inside the dialog", async () => {
    const user = userEvent.setup();
    render(<TokenPrompt message="" rejected={false} onSubmit={vi.fn()} onCancel={vi.fn()} />);
    await user.type(screen.getByLabelText("API token"), "x");
    await user.tab();
    expect(screen.getByRole("button", { name: "Cancel" })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole("button", { name: "Save token" })).toHaveFocus();
    await user.tab();
    expect(screen.getByLabelText("API token")).toHaveFocus();
  });

  it("says when the previous token was refused", () => {
    render(<TokenPrompt message="" rejected onSubmit={vi.fn()} onCancel={vi.fn()} />);
    expect(screen.getByRole("dialog")).toHaveTextContent("The API did not accept that token.");
  });
});
