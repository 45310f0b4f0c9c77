// Questions to start with, one group per sample database and one spanning both; one click asks them.
import { useId } from "react";
import { EXAMPLE_GROUPS, type ExampleGroup } from "../lib/examples";

interface ExampleQuestionsProps {
  onAsk: (question: string) => void;
  disabled?: boolean;
  groups?: readonly ExampleGroup[];
}

export function ExampleQuestions({ onAsk, disabled, groups = EXAMPLE_GROUPS }: ExampleQuestionsProps) {
  const idPrefix = useId();
  return (
    <section className="examples" aria-labelledby="examples-title" data-testid="examples">
      <h2 id="examples-title">Ask about your data</h2>
      <p className="muted">Type a question in plain words, or start with one of these:</p>
      {groups.map((group, index) => {
        const titleId = `${idPrefix}-group-${index}`;
        return (
          <section key={group.title} className="example-group" aria-labelledby={titleId}>
            <h3 id={titleId} className="example-group-title">
              {group.title}
            </h3>
            <ul className="example-list">
              {group.questions.map((question) => (
                <li key={question}>
                  <button type="button" className="example" onClick={() => onAsk(question)} disabled={disabled}>
                    {question}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </section>
  );
}
