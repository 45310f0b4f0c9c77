// A button that copies text to the clipboard and says so, for screen readers too.
import { useEffect, useState } from "react";
import { copyText } from "../lib/clipboard";

interface CopyButtonProps {
  text: string;
  label: string;
  /** Accessible name when the label alone is ambiguous ("Copy" → "Copy SQL"); must contain the label. */
  ariaLabel?: string;
  className?: string;
}

type CopyState = "idle" | "copied" | "failed";

export function CopyButton({ text, label, ariaLabel, className }: CopyButtonProps) {
  const [state, setState] = useState<CopyState>("idle");

  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 2000);
    return () => clearTimeout(timer);
  }, [state]);

  const onClick = () => {
    copyText(text).then(
      () => setState("copied"),
      () => setState("failed"),
    );
  };

  return (
    <>
      <button type="button" className={className ?? "button button-small"} onClick={onClick} aria-label={ariaLabel}>
        {state === "copied" ? "Copied" : state === "failed" ? "Copy failed" : label}
      </button>
      {/* Outside the button, so the announcement does not become part of the button's name. */}
      <span className="visually-hidden" role="status">
        {state === "copied" ? "Copied to the clipboard" : state === "failed" ? "Could not copy: select the text and copy it yourself" : ""}
      </span>
    </>
  );
}
