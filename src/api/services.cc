#include "api/services.h"

namespace lockbox::api {
namespace {

// The computers whose latest report body the memo keeps: some 200 bytes each, so about
// 200 MiB at most. A larger fleet works as well; its check-ins beyond these are decoded in
// full.
constexpr size_t kReportMemoComputers = 1'000'000;

}  // namespace

Services::Services(store::Store& store, ApiOptions options)
    : store_(store),
      options_(std::move(options)),
      audit_(store_),
      settings_(store_, audit_, options_.service),
      verifier_(store_, audit_, options_.service.verification_queue_entries, options_.service.now),
      escrow_(store_, audit_, &verifier_, settings_, options_.service),
      recovery_(store_, audit_, settings_, options_.service),
      migration_(store_, audit_, options_.service),
      directory_(store_),
      compliance_(store_, options_.service.compliance, options_.service.now),
      reports_(store_, options_.service),
      report_memo_(kReportMemoComputers) {}

Result<std::unique_ptr<Services>> Services::Create(store::Store& store, ApiOptions options) {
  std::unique_ptr<Services> services(new Services(store, std::move(options)));
  LOCKBOX_ASSIGN_OR_RETURN(
      services->auth_,
      auth::Authenticator::Create(services->store_, services->audit_, services->options_.auth));
  return services;
}

}  // namespace lockbox::api
