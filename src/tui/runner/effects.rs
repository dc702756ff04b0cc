//! Carrying out what `update` asks for: start a task, answer or cancel an
//! MFA question, save preferences, and hand credentials out (a subshell to
//! run, exports to print on exit, the clipboard, the console), recording each
//! hand-out in the history.

use super::subshell::Handoff;
use super::{Reply, Runner};
use crate::config::Scope;
use crate::error::Error;
use crate::history::Handout;
use crate::output::{Format, exports, render};
use crate::session::Session;
use crate::tui::state::Purpose;
use crate::tui::terminal;
use crate::tui::update::{Effect, Msg};

impl Runner {
    /// Carries out `effect`; returns a hand-off when a subshell should run now.
    pub(super) fn apply(&mut self, effect: Effect) -> Result<Option<Handoff>, Error> {
        match effect {
            Effect::Resolve {
                generation,
                target,
                purpose,
                refresh,
                mfa_code,
                preset,
            } => {
                self.spawn_resolve(generation, target, purpose, refresh, mfa_code, preset);
            }
            Effect::AnswerMfa { id, code } => {
                if let Some(reply) = self.answers.remove(&id) {
                    let _ = reply.send(Some(code));
                }
            }
            Effect::CancelMfa { id } => {
                if let Some(reply) = self.answers.remove(&id) {
                    let _ = reply.send(None);
                }
            }
            Effect::Forget { target } => self.spawn_forget(target),
            Effect::SignIn { session } => self.spawn_sign_in(session),
            Effect::CancelSignIn => self.cancel_sign_in(),
            Effect::Sync => self.spawn_sync(false),
            Effect::SavePrefs(prefs) => {
                crate::tui::prefs::save(&crate::tui::prefs::path(&self.ctx.paths.data_dir), &prefs)
                    .map_err(Error::doing("save the switcher's preferences"))?;
            }
            Effect::Run { run, targets, argv } => self.spawn_run(run, targets, argv),
            Effect::Discard { generation } => {
                self.sessions.remove(&generation);
            }
            Effect::HandOut {
                generation,
                target,
                purpose,
                region,
            } => return self.hand_out(generation, target, purpose, region),
        }
        Ok(None)
    }

    /// Hands out request `generation`'s session for row `target`: a subshell
    /// to run (returned), exports to print on exit, the clipboard or the console.
    fn hand_out(
        &mut self,
        generation: u64,
        target: usize,
        purpose: Purpose,
        region: Option<String>,
    ) -> Result<Option<Handoff>, Error> {
        let Some((session, scope)) = self.sessions.remove(&generation) else {
            return Ok(None);
        };
        self.record(target, &session, scope.as_ref());
        if purpose == Purpose::Shell && self.eval_dialect.is_none() {
            return Ok(Some(Handoff {
                target,
                session,
                region,
                scoped: scope.is_some(),
            }));
        }
        let target = &self.ctx.targets.targets[target];
        let vars = match (self.eval_dialect, purpose) {
            // Under `hats use`, exports replace the shell's: its own region is saved.
            (Some(_), Purpose::Env | Purpose::Shell) => {
                crate::commands::use_exports(&self.ctx, target, &session, region.as_deref())
            }
            _ => exports(target, &session, region.as_deref()),
        };
        let dialect = self.eval_dialect.unwrap_or(Format::Sh);
        match purpose {
            Purpose::Env => self.print_on_exit = Some(render(&vars, dialect)),
            Purpose::Shell => {
                self.print_on_exit = Some(render(&vars, dialect));
                self.leave = true;
            }
            Purpose::Copy => terminal::copy_to_clipboard(&render(&vars, Format::Sh))
                .map_err(Error::doing("copy to the clipboard"))?,
            Purpose::Console => self.spawn_console(target, session, region.as_deref()),
            Purpose::Refresh => {}
        }
        Ok(None)
    }

    /// Appends the hand-out to the history; a failure is shown, never fatal.
    fn record(&self, target: usize, session: &Session, scope: Option<&Scope>) {
        let ctx = &self.ctx;
        let logged = crate::history::log_handout(
            &ctx.paths.data_dir,
            &ctx.settings,
            &ctx.targets.targets[target],
            session.expiration,
            scope,
            Handout::Tui,
            ctx.clock.now(),
        );
        if let Err(e) = logged {
            let text = format!("cannot write the hand-out history: {e}");
            let _ = self.replies.send(Reply::Msg(Msg::Notice { text, error: true }));
        }
    }
}
