import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { EntityChips } from "./EntityChips";

describe("EntityChips", () => {
  it("shows each resolved term as a chip with its meaning and source server", () => {
    render(
      <EntityChips
        resolved={{
          entities: [
            { term: "abracadabra", resolved_to: "Magic Wand Pro", kind: "product", source_server: "Product Metadata MCP" },
            { term: "this year", resolved_to: "2025", kind: "time", source_server: null },
          ],
          confidence: 0.92,
        }}
      />,
    );
    const list = screen.getByRole("region", { name: "Resolved entities" });
    const chips = within(list).getAllByRole("listitem");
    expect(chips).toHaveLength(2);
    expect(chips[0]).toHaveTextContent("abracadabra→Magic Wand Pro· Product Metadata MCP");
    expect(chips[0]).toHaveAccessibleName("abracadabra means Magic Wand Pro, from Product Metadata MCP");
    expect(chips[0]).toHaveAttribute("data-kind", "product");
    expect(chips[1]).toHaveAccessibleName("this year means 2025");
    expect(screen.getByTestId("entity-confidence")).toHaveTextContent("Confidence 92%");
  });

  it("accepts a plain mapping of term to value", () => {
    render(<EntityChips resolved={{ abracadabra: "Magic Wand Pro" }} />);
    expect(screen.getByRole("listitem", { name: "abracadabra means Magic Wand Pro" })).toBeInTheDocument();
  });

  it("shows nothing when nothing was resolved", () => {
    const { container } = render(<EntityChips resolved={{}} />);
    expect(container).toBeEmptyDOMElement();
  });
});
