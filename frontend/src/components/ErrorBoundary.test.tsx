import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { ErrorBoundary } from "./ErrorBoundary";

function Bomb({ explode }: { explode: boolean }) {
  if (explode) throw new Error("rows was undefined");
  return <p>All fine</p>;
}

function Harness() {
  const [explode, setExplode] = useState(true);
  return (
    <ErrorBoundary area="conversation" onReset={() => setExplode(false)} resetLabel="Clear and try again">
      <Bomb explode={explode} />
    </ErrorBoundary>
  );
}

describe("ErrorBoundary", () => {
  it("shows what broke and a way back instead of a blank page", async () => {
    // React and the boundary log the error; keep the test output readable.
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const user = userEvent.setup();
    render(<Harness />);
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Something in this page broke (conversation)");
    expect(alert).toHaveTextContent("rows was undefined");
    await user.click(screen.getByRole("button", { name: "Clear and try again" }));
    expect(screen.getByText("All fine")).toBeInTheDocument();
  });
});
