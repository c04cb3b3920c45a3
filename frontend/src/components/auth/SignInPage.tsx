// Username and password for a Django session. A wrong password says so; with DEBUG on the server
// also tells us the demo login, shown here with a button that fills it in.
import { useState, type FormEvent } from "react";

import { messageOf } from "../../api/errors";
import { useSignIn } from "../../api/queries";
import type { SessionOut } from "../../api/types";

export function SignInPage({ demoLogin }: { demoLogin: SessionOut["demo_login"] }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const signIn = useSignIn();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate({ username, password });
  };

  return (
    <main className="sign-in">
      <div className="sign-in__card card">
        <div className="sign-in__brand">
          <span className="app-header__logo" aria-hidden="true">OC</span>
          <span>OpenContracts</span>
        </div>
        <h1>Sign in</h1>
        <p className="muted small">Read your contracts and ask questions about them.</p>
        <form className="sign-in__form" onSubmit={submit} aria-label="Sign in">
          <label className="field">
            Username
            <input
              className="input"
              name="username"
              autoComplete="username"
              required
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          </label>
          <label className="field">
            Password
            <input
              className="input"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
          {signIn.isError && (
            <div className="alert" role="alert">
              {messageOf(signIn.error)}
            </div>
          )}
          <button className="button button--primary" type="submit" disabled={signIn.isPending}>
            {signIn.isPending ? "Signing in…" : "Sign in"}
          </button>
        </form>
        {demoLogin && (
          <aside className="sign-in__demo" aria-label="Demo login">
            <div>
              <div className="small">
                <strong>Demo login</strong> <span className="muted">(shown while DEBUG is on)</span>
              </div>
              <div className="small muted">
                username <code>{demoLogin.username}</code>, password <code>{demoLogin.password}</code>
              </div>
            </div>
            <button
              type="button"
              className="button button--small"
              onClick={() => {
                setUsername(demoLogin.username);
                setPassword(demoLogin.password);
              }}
            >
              Use demo login
            </button>
          </aside>
        )}
      </div>
    </main>
  );
}
