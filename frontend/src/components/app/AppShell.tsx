// Every screen sits in this shell: it knows who is signed in. Nobody signed in: the sign-in
// form, at whatever URL was opened (after signing in, that same URL shows).
import { Outlet } from "react-router";

import { useSession } from "../../api/queries";
import { SignInPage } from "../auth/SignInPage";
import { ErrorState, LoadingState } from "../widgets/States";
import { AppHeader } from "./AppHeader";

export function AppShell() {
  const session = useSession();
  if (session.isPending) return <LoadingState label="Loading…" />;
  if (session.isError) {
    return (
      <main className="page">
        <ErrorState error={session.error} title="The server could not be reached" />
      </main>
    );
  }
  const { user, demo_login } = session.data;
  if (!user) return <SignInPage demoLogin={demo_login} />;
  return (
    <div className="app">
      <AppHeader username={user.username} />
      <Outlet />
    </div>
  );
}
