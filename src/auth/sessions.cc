#include "auth/sessions.h"

#include "auth/credential_checks.h"
#include "auth/token.h"
#include "service/admin_audit.h"

namespace lockbox::auth {
namespace {

Status SessionEnded() {
  return Status::Unauthenticated(
      "the session has ended (signed out, expired or revoked): sign in "
      "again");
}

}  // namespace

Result<NewSession> Sessions::Start(const LoginResult& login) {
  const store::Time now = options_.now();
  LOCKBOX_RETURN_IF_ERROR(
      store_.DeleteExpiredSessions(now, now - options_.session_idle_timeout).status());
  LOCKBOX_ASSIGN_OR_RETURN(IssuedToken token, NewToken(TokenKind::kSession));
  LOCKBOX_ASSIGN_OR_RETURN(crypto::SecretBytes csrf, NewRandomSecret());
  const store::Session session{.id = token.id,
                               .token_hash = token.hash,
                               .csrf_hash = HashOf(TextOf(csrf)),
                               .user_name = login.actor.name,
                               .address = login.actor.address,
                               .created_at = now,
                               .last_seen = now,
                               .expires_at = now + options_.session_lifetime};
  LOCKBOX_RETURN_IF_ERROR(store_.CreateSession(session));
  return NewSession{token.id, std::move(token.text), std::move(csrf), session.expires_at};
}

Result<store::Session> Sessions::Find(std::string_view token) {
  LOCKBOX_ASSIGN_OR_RETURN(const std::string id, TokenId(TokenKind::kSession, token));
  auto session = store_.GetSession(id);
  if (session.status().code() == ErrorCode::kNotFound) return SessionEnded();
  if (!session.ok()) return session.status();
  if (!TokenMatches(token, session->token_hash)) return SessionEnded();
  return session;
}

Result<SessionInfo> Sessions::Authenticate(std::string_view token, std::string_view address,
                                           SessionUse use) {
  LOCKBOX_ASSIGN_OR_RETURN(const store::Session session, Find(token));
  const store::Time now = options_.now();
  if (session.expires_at <= now || session.last_seen + options_.session_idle_timeout <= now) {
    LOCKBOX_RETURN_IF_ERROR(store_.DeleteSession(session.id));
    return SessionEnded();
  }
  // The user as they are now: a role change applies at the next request.
  auto user = store_.GetUser(session.user_name);
  if (!user.ok() && user.status().code() != ErrorCode::kNotFound) return user.status();
  if (!user.ok() || user->disabled) return SessionEnded();
  if (user->must_change_password && use == SessionUse::kAny) {
    return Status::PermissionDenied("the password of " + user->name +
                                    " must be changed before anything else: change it");
  }
  // last_seen is written at most once a minute, so the idle timeout is exact to a minute.
  if (internal::DueForTouch(session.last_seen, now)) {
    LOCKBOX_RETURN_IF_ERROR(store_.TouchSession(session.id, now));
  }
  return SessionInfo{ActorOf(*user, address), session.id, user->must_change_password,
                     session.expires_at, session.csrf_hash};
}

Status Sessions::CheckCsrf(const SessionInfo& session, std::string_view csrf_token) const {
  if (!csrf_token.empty() && TokenMatches(csrf_token, session.csrf_hash)) return Status::Ok();
  return Status::PermissionDenied(
      "the request's CSRF token is missing or not this session's: reload the page and try again");
}

Status Sessions::Logout(std::string_view token) {
  auto session = Find(token);
  if (session.status().code() == ErrorCode::kUnauthenticated) return Status::Ok();
  LOCKBOX_RETURN_IF_ERROR(session.status());
  const Status deleted = store_.DeleteSession(session->id);
  return deleted.code() == ErrorCode::kNotFound ? Status::Ok() : deleted;
}

Result<std::vector<store::Session>> Sessions::List(const service::Actor& actor,
                                                   std::string_view user_name) {
  if (actor.name != user_name) {
    LOCKBOX_RETURN_IF_ERROR(service::RequireAdmin(actor, "list other users' sessions"));
  }
  return store_.ListSessions(user_name);
}

Status Sessions::Revoke(const service::Actor& actor, std::string_view session_id) {
  LOCKBOX_ASSIGN_OR_RETURN(const store::Session session, store_.GetSession(session_id));
  if (session.user_name != actor.name) {
    LOCKBOX_RETURN_IF_ERROR(service::RequireAdmin(actor, "end other users' sessions"));
  }
  LOCKBOX_RETURN_IF_ERROR(store_.DeleteSession(session.id));
  if (session.user_name == actor.name) return Status::Ok();
  return service::AuditAdminChange(log_, actor, options_.now(),
                                   {.what = "session revoked",
                                    .details = "session " + session.id + " of " + session.user_name,
                                    .end_user = session.user_name,
                                    .computer = ""});
}

}  // namespace lockbox::auth
