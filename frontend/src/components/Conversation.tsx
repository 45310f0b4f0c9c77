// The list of questions and answers, newest last, scrolled so the newest question is in view.
import { useEffect, useRef } from "react";
import type { Turn } from "../lib/history";
import { TurnView } from "./TurnView";

interface ConversationProps {
  turns: Turn[];
  busy: boolean;
  onCancel: () => void;
  onRetry: (turnId: string) => void;
}

export function Conversation({ turns, busy, onCancel, onRetry }: ConversationProps) {
  const list = useRef<HTMLDivElement>(null);
  const last = turns.at(-1);
  const lastKey = last ? `${last.id}:${last.state}` : "";

  useEffect(() => {
    if (!lastKey) return;
    const articles = list.current?.querySelectorAll("article.turn");
    const newest = articles?.[articles.length - 1];
    // jsdom and very old browsers lack scrollIntoView; scrolling is a nicety, not a need.
    if (newest && typeof newest.scrollIntoView === "function") {
      const reduce = window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
      newest.scrollIntoView({ block: "start", behavior: reduce ? "auto" : "smooth" });
    }
  }, [lastKey]);

  return (
    // aria-live off: answers hold whole tables; the page announces a short summary instead.
    <div ref={list} className="conversation" role="log" aria-label="Conversation" aria-live="off" data-testid="conversation">
      <h2 className="visually-hidden">Conversation</h2>
      {turns.map((turn) => (
        <TurnView key={turn.id} turn={turn} onCancel={onCancel} onRetry={onRetry} canRetry={!busy} />
      ))}
    </div>
  );
}
