// Questions to start with, grouped by the sample database that answers them (`talk2tables sample-data`):
// the shop, the support desk, and one that needs both. Every question has gold SQL in evals/*.yaml that
// finds rows on fresh sample data (tests/sample_data/test_suggested_questions.py reads this file).

export interface ExampleGroup {
  title: string;
  questions: readonly string[];
}

export const EXAMPLE_GROUPS: readonly ExampleGroup[] = [
  {
    title: "Shop",
    questions: [
      "What are the total sales of abracadabra this year?",
      "Who are the top 5 customers by revenue?",
      "Show monthly sales last year",
      "What are the sales by category?",
      "What is the average order value by country?",
    ],
  },
  {
    title: "Support desk",
    questions: [
      "How many support tickets are open right now?",
      "What is the average resolution time in hours for each ticket priority?",
      "What is the CSAT for each ticket category?",
    ],
  },
  {
    title: "Both",
    questions: ["What is the revenue of the products that have open support tickets?"],
  },
];

export const EXAMPLE_QUESTIONS: readonly string[] = EXAMPLE_GROUPS.flatMap((group) => group.questions);
