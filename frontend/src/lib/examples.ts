// Questions to start with, about the sample e-commerce data (`talk2tables sample-data`).

export const EXAMPLE_QUESTIONS = [
  "What are the total sales of abracadabra this year?",
  "Who are the top 5 customers by revenue?",
  "Show monthly sales last year",
  "What are the sales by category?",
  "What is the average order value by country?",
] as const;
