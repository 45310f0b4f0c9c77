// @vitest-environment node
import { describe, expect, it } from "vitest";
import { sseBody } from "../test/fixtures";
import { readEventStream, type StreamEvent } from "./stream";

async function collect(body: ReadableStream<Uint8Array>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of readEventStream(body)) events.push(event);
  return events;
}

describe("readEventStream", () => {
  it("yields named events with their data in order", async () => {
    const events = await collect(sseBody('event: progress\ndata: {"stage":"gathering"}\n\nevent: result\ndata: {"success":true}\n\n'));
    expect(events).toEqual([
      { event: "progress", data: '{"stage":"gathering"}', id: undefined },
      { event: "result", data: '{"success":true}', id: undefined },
    ]);
  });

  it("reassembles events split across chunks, even inside a multi-byte character", async () => {
    const text = 'event: result\ndata: {"explanation":"Überblick · 5 € — ✓"}\n\n';
    const events = await collect(sseBody(text, 3));
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.data)).toEqual({ explanation: "Überblick · 5 € — ✓" });
  });

  it("accepts CRLF line endings, comments used as keep-alives, and multi-line data", async () => {
    const text = ": ping\r\n\r\nevent: progress\r\ndata: line one\r\ndata: line two\r\n\r\n";
    const events = await collect(sseBody(text));
    expect(events).toEqual([{ event: "progress", data: "line one\nline two", id: undefined }]);
  });

  it("names an event without an event field 'message', as EventSource does", async () => {
    const events = await collect(sseBody("data: hello\n\n"));
    expect(events[0]?.event).toBe("message");
  });

  it("delivers a last event the server closed without a blank line", async () => {
    const events = await collect(sseBody('event: result\ndata: {"success":false}'));
    expect(events).toEqual([{ event: "result", data: '{"success":false}', id: undefined }]);
  });

  it("cancels the underlying stream when the reader stops early", async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("event: result\ndata: {}\n\n"));
        // The server would keep the connection open; nothing more ever arrives.
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const event of readEventStream(body)) {
      expect(event.event).toBe("result");
      break;
    }
    expect(cancelled).toBe(true);
  });
});
