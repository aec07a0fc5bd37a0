#include "auth/authenticator.h"

#include "auth/token.h"

namespace lockbox::auth {

Result<std::unique_ptr<Authenticator>> Authenticator::Create(store::Store& store,
                                                             audit::AuditLog& log,
                                                             const AuthOptions& options) {
  LOCKBOX_ASSIGN_OR_RETURN(auto accounts, Accounts::Create(store, log, options));
  return std::unique_ptr<Authenticator>(
      new Authenticator(std::move(accounts), store, log, options));
}

Result<service::Actor> Authenticator::AuthenticateBearer(std::string_view token,
                                                         std::string_view address) {
  const std::optional<TokenKind> kind = KindOf(token);
  if (kind == TokenKind::kMachine) return machines_.Authenticate(token, address);
  if (kind == TokenKind::kApi) return api_tokens_.Authenticate(token, address);
  return Status::Unauthenticated(
      "the bearer token is neither a Lockbox API token (lbx_api_...) nor a machine credential "
      "(lbx_agt_...): check that it was copied whole");
}

}  // namespace lockbox::auth
