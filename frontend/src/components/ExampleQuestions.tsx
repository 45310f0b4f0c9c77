// Questions to start with, about the sample e-commerce data; one click asks them.
import { EXAMPLE_QUESTIONS } from "../lib/examples";

interface ExampleQuestionsProps {
  onAsk: (question: string) => void;
  disabled?: boolean;
}

export function ExampleQuestions({ onAsk, disabled }: ExampleQuestionsProps) {
  return (
    <section className="examples" aria-labelledby="examples-title" data-testid="examples">
      <h2 id="examples-title">Ask about your data</h2>
      <p className="muted">Type a question in plain words, or start with one of these:</p>
      <ul className="example-list">
        {EXAMPLE_QUESTIONS.map((question) => (
          <li key={question}>
            <button type="button" className="example" onClick={() => onAsk(question)} disabled={disabled}>
              {question}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
