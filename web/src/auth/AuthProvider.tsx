import { queryOptions, useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo } from "react";
import { ApiProblem, api, setCsrfToken, unwrap } from "../api/client";
import type { paths } from "../api/schema";
import { chooseLanguage } from "../i18n";
import { type Access, type Area, roleAllows } from "./access";

export type Me = paths["/api/v1/me"]["get"]["responses"][200]["content"]["application/json"];
export type User = Me["user"];

const HINT_KEY = "plantao.signed-in";

/**
 * Whether this browser signed in before. The session cookie is httpOnly, so the page cannot see it; without
 * this hint every visit of a signed-out user would ask /me and the browser would log its 401 as an error.
 */
function hasSessionHint(): boolean {
  try {
    return localStorage.getItem(HINT_KEY) === "1";
  } catch {
    return true;
  }
}

function setSessionHint(on: boolean): void {
  try {
    if (on) localStorage.setItem(HINT_KEY, "1");
    else localStorage.removeItem(HINT_KEY);
  } catch {
    // Without storage the page asks /me on every visit, which still works.
  }
}

async function fetchMe(signal: AbortSignal): Promise<Me | null> {
  const result = await api.GET("/api/v1/me", { signal });
  if (result.response.status === 401) return null;
  return unwrap(result);
}

export const meQuery = queryOptions({
  queryKey: ["me"],
  queryFn: async ({ signal }) => {
    if (!hasSessionHint()) return null;
    const me = await fetchMe(signal);
    if (!me) setSessionHint(false);
    setCsrfToken(me?.csrfToken ?? null);
    return me;
  },
  staleTime: Number.POSITIVE_INFINITY,
  retry: false,
});

interface AuthValue {
  user: User;
  /** Whether the user's role may use an area (the server checks again; this only hides what would fail). */
  can(area: Area, access?: Access): boolean;
}

interface SessionControl {
  signedIn(session: { user: User; csrfToken: string }): void;
  signedOut(): void;
}

const AuthContext = createContext<AuthValue | null>(null);
const SessionContext = createContext<SessionControl | null>(null);

/** The signed-in user; only inside pages that RequireAuth guards. */
export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside a signed-in page");
  return value;
}

/** The signed-in user, or null on public pages. */
export function useOptionalUser(): User | null {
  return useContext(AuthContext)?.user ?? null;
}

export function useSession(): SessionControl {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside AuthProvider");
  return value;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const me = useQuery(meQuery);
  const locale = me.data?.user.locale;
  // The profile's language wins over this browser's last choice (it may have been changed elsewhere).
  useEffect(() => {
    if (locale) chooseLanguage(locale);
  }, [locale]);

  const signedIn = useCallback(
    (session: { user: User; csrfToken: string }) => {
      setSessionHint(true);
      setCsrfToken(session.csrfToken);
      const me: Me = { user: session.user, csrfToken: session.csrfToken, via: "session", scopes: null };
      client.setQueryData(meQuery.queryKey, me);
      chooseLanguage(session.user.locale);
    },
    [client],
  );
  const signedOut = useCallback(() => {
    setSessionHint(false);
    setCsrfToken(null);
    // The user's query stays (observers keep a removed query's data); every other cached answer was theirs.
    client.setQueryData(meQuery.queryKey, null);
    client.removeQueries({ predicate: (query) => query.queryKey[0] !== meQuery.queryKey[0] });
  }, [client]);

  const control = useMemo(() => ({ signedIn, signedOut }), [signedIn, signedOut]);
  const user = me.data?.user;
  const auth = useMemo<AuthValue | null>(
    () => (user ? { user, can: (area, access = "read") => roleAllows(user.role, area, access) } : null),
    [user],
  );

  return (
    <SessionContext.Provider value={control}>
      <AuthContext.Provider value={auth}>{me.isPending ? null : children}</AuthContext.Provider>
    </SessionContext.Provider>
  );
}

/** Asking again cannot change these answers (signed out, not allowed, not there): queries fail at once. */
export function isFinalProblem(error: unknown): boolean {
  return error instanceof ApiProblem && [401, 403, 404].includes(error.problem.status);
}

/** A 401 from any query means the session ended (expired, or logged out elsewhere). */
export function isSessionEnded(error: unknown): boolean {
  return error instanceof ApiProblem && error.problem.status === 401;
}
