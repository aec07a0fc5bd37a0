#include "http/openapi.h"

#include <cctype>

namespace lockbox::http {
namespace {

std::string Lower(const char* s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

nlohmann::json Operation(const Route& route) {
  nlohmann::json op = {{"summary", route.summary}};
  if (!route.description.empty()) op["description"] = route.description;
  nlohmann::json parameters = nlohmann::json::array();
  size_t open = route.pattern.find('{');
  while (open != std::string::npos) {
    const size_t close = route.pattern.find('}', open);
    parameters.push_back({{"name", route.pattern.substr(open + 1, close - open - 1)},
                          {"in", "path"},
                          {"required", true},
                          {"schema", {{"type", "string"}}}});
    open = route.pattern.find('{', close);
  }
  if (!parameters.empty()) op["parameters"] = parameters;
  if (!route.request_schema.is_null()) {
    op["requestBody"] = {{"required", true},
                         {"content", {{"application/json", {{"schema", route.request_schema}}}}}};
  }
  nlohmann::json ok = {{"description", "Success"}};
  nlohmann::json media = nlohmann::json::object();
  if (!route.response_schema.is_null()) media["schema"] = route.response_schema;
  ok["content"] = {{route.response_content_type, media}};
  op["responses"] = {
      {"200", ok},
      {"default",
       {{"description", "An error"},
        {"content",
         {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}}}};
  return op;
}

}  // namespace

nlohmann::json BuildOpenApiDocument(const Router& router, const std::string& version) {
  nlohmann::json paths = nlohmann::json::object();
  for (const Route& route : router.routes()) {
    paths[route.pattern][Lower(MethodName(route.method))] = Operation(route);
  }
  const nlohmann::json error_schema = {
      {"type", "object"},
      {"required", {"error"}},
      {"properties",
       {{"error",
         {{"type", "object"},
          {"required", {"code", "message"}},
          {"properties",
           {{"code", {{"type", "string"}, {"description", "A short stable name: not_found"}}},
            {"message",
             {{"type", "string"}, {"description", "What was wrong and what to do"}}}}}}}}}};
  return {{"openapi", "3.0.3"},
          {"info",
           {{"title", "Lockbox"},
            {"version", version},
            {"description", "Escrow and recovery of BitLocker recovery passwords."}}},
          {"paths", paths},
          {"components", {{"schemas", {{"Error", error_schema}}}}}};
}

}  // namespace lockbox::http
