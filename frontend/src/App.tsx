// The page: header, conversation with the question box, the server panel, the token prompt.
import { useEffect, useMemo, useRef, useState } from "react";
import { Composer } from "./components/Composer";
import { Conversation } from "./components/Conversation";
import { ErrorBoundary } from "./components/ErrorBoundary";
import { ExampleQuestions } from "./components/ExampleQuestions";
import { Header } from "./components/Header";
import { ServerPanel } from "./components/ServerPanel";
import { TokenPrompt } from "./components/TokenPrompt";
import { ServerNamesContext } from "./hooks/serverNames";
import { useAnnouncement } from "./hooks/useAnnouncement";
import { useConversation } from "./hooks/useConversation";
import { useServers } from "./hooks/useServers";
import { useTheme } from "./hooks/useTheme";
import { useTokenPrompt } from "./hooks/useTokenPrompt";

interface AppProps {
  /** Tests pass their own fetch; the browser's is used otherwise. */
  fetchImpl?: typeof fetch;
}

export function App({ fetchImpl }: AppProps) {
  const { theme, toggle } = useTheme();
  const auth = useTokenPrompt(fetchImpl);
  const conversation = useConversation(auth.client, auth.onUnauthorized);
  const servers = useServers(auth.client, auth.onUnauthorized);
  const [serversOpen, setServersOpen] = useState(false);
  const questionBox = useRef<HTMLTextAreaElement>(null);
  const names = useMemo(
    () => Object.fromEntries((servers.data?.servers ?? []).map((server) => [server.key, server.name])),
    [servers.data],
  );
  const announcement = useAnnouncement(conversation.turns, names);
  const { refresh } = servers;

  // A failed answer often means a server went down: show the panel's fresh view of it.
  const lastFailed = conversation.turns.at(-1)?.state === "failed" ? conversation.turns.at(-1)?.id : undefined;
  useEffect(() => {
    if (lastFailed) refresh();
  }, [lastFailed, refresh]);

  const ask = (question: string) => {
    conversation.ask(question);
    questionBox.current?.focus();
  };

  const closePrompt = (token?: string) => {
    if (token) auth.submit(token);
    else auth.cancel();
    questionBox.current?.focus();
  };

  const down = servers.data?.servers.filter((server) => !server.reachable).length ?? 0;

  return (
    <ServerNamesContext value={names}>
      <div className="app">
        <a className="skip-link" href="#question">
          Skip to the question box
        </a>
        <Header
          theme={theme}
          onToggleTheme={toggle}
          canClear={conversation.turns.length > 0}
          onClear={() => {
            conversation.clear();
            questionBox.current?.focus();
          }}
          hasToken={auth.hasToken}
          onForgetToken={auth.forget}
          serversOpen={serversOpen}
          onToggleServers={() => setServersOpen((open) => !open)}
          serversDown={down}
        />
        <div className={`layout ${serversOpen ? "servers-open" : ""}`}>
          <main className="chat" id="main">
            <ErrorBoundary area="conversation" onReset={conversation.clear} resetLabel="Clear the conversation and try again">
              {conversation.turns.length === 0 ? (
                <ExampleQuestions onAsk={ask} disabled={conversation.busy} />
              ) : (
                <Conversation
                  turns={conversation.turns}
                  busy={conversation.busy}
                  onCancel={conversation.cancel}
                  onRetry={conversation.retry}
                />
              )}
            </ErrorBoundary>
            <Composer ref={questionBox} onAsk={ask} busy={conversation.busy} />
          </main>
          <ErrorBoundary area="server panel">
            <ServerPanel id="server-panel" state={servers} />
          </ErrorBoundary>
        </div>
        <div className="visually-hidden" role="status" aria-live="polite" data-testid="announcer">
          {announcement}
        </div>
        {auth.request && (
          <TokenPrompt
            message={auth.request.message}
            rejected={auth.request.rejected}
            onSubmit={(token) => closePrompt(token)}
            onCancel={() => closePrompt()}
          />
        )}
      </div>
    </ServerNamesContext>
  );
}
