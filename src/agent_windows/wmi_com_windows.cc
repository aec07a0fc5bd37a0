// Wmi over COM: IWbemLocator -> IWbemServices per namespace; ExecQuery for Query, ExecMethod
// for Call. VARIANTs become JSON by their CIM type (WMI hands a uint32 over as VT_I4, so the
// CIM type, not the VARIANT's, says whether 0x80310000 is negative).
#include <windows.h>
// After windows.h:
#include <comdef.h>
#include <oleauto.h>
#include <wbemidl.h>

#include <map>

#include "agent_windows/wmi.h"
#include "util/win32.h"

namespace lockbox::agent {
namespace {

// A COM interface pointer released at the end of its scope.
template <typename T>
class ComPtr {
 public:
  ComPtr() = default;
  ~ComPtr() {
    if (p_ != nullptr) p_->Release();
  }
  ComPtr(ComPtr&& other) noexcept : p_(other.p_) { other.p_ = nullptr; }
  ComPtr(const ComPtr&) = delete;
  ComPtr& operator=(const ComPtr&) = delete;
  T* get() const { return p_; }
  T** out() { return &p_; }
  T* operator->() const { return p_; }

 private:
  T* p_ = nullptr;
};

// A BSTR freed at the end of its scope.
class Bstr {
 public:
  explicit Bstr(const std::string& text) : b_(SysAllocString(win32::Widen(text).c_str())) {}
  ~Bstr() { SysFreeString(b_); }
  Bstr(const Bstr&) = delete;
  Bstr& operator=(const Bstr&) = delete;
  BSTR get() const { return b_; }

 private:
  BSTR b_;
};

Status ComError(const std::string& what, HRESULT hr) {
  return Status::IoError(what + ": " + win32::ErrorText(static_cast<uint32_t>(hr)));
}

nlohmann::json ScalarToJson(const VARIANT& v, CIMTYPE type) {
  switch (type & ~CIM_FLAG_ARRAY) {
    case CIM_STRING:
    case CIM_DATETIME:
    case CIM_REFERENCE:
      return v.vt == VT_BSTR ? win32::Narrow(v.bstrVal) : "";
    case CIM_BOOLEAN:
      return v.vt == VT_BOOL && v.boolVal != VARIANT_FALSE;
    case CIM_UINT8:
      return static_cast<uint8_t>(v.bVal);
    case CIM_UINT16:
    case CIM_UINT32:
      return static_cast<uint32_t>(v.lVal);  // VT_I4 holding the unsigned value
    case CIM_SINT8:
    case CIM_SINT16:
    case CIM_SINT32:
      return static_cast<int32_t>(v.lVal);
    case CIM_UINT64:
    case CIM_SINT64:
      // WMI passes 64-bit integers as decimal strings.
      return v.vt == VT_BSTR ? win32::Narrow(v.bstrVal) : "";
    default:
      return nullptr;
  }
}

nlohmann::json ToJson(const VARIANT& v, CIMTYPE type) {
  if (v.vt == VT_NULL || v.vt == VT_EMPTY) return nullptr;
  if ((type & CIM_FLAG_ARRAY) == 0) return ScalarToJson(v, type);
  nlohmann::json out = nlohmann::json::array();
  SAFEARRAY* array = v.parray;
  LONG low = 0;
  LONG high = -1;
  SafeArrayGetLBound(array, 1, &low);
  SafeArrayGetUBound(array, 1, &high);
  for (LONG i = low; i <= high; ++i) {
    VARIANT item;
    VariantInit(&item);
    VARTYPE element = VT_EMPTY;
    SafeArrayGetVartype(array, &element);
    if (element == VT_BSTR) {
      BSTR text = nullptr;
      SafeArrayGetElement(array, &i, &text);
      item.vt = VT_BSTR;
      item.bstrVal = text;
    } else if (element == VT_UI1) {
      item.vt = VT_UI1;
      SafeArrayGetElement(array, &i, &item.bVal);
    } else {
      item.vt = VT_I4;
      SafeArrayGetElement(array, &i, &item.lVal);
    }
    out.push_back(ScalarToJson(item, type & ~CIM_FLAG_ARRAY));
    VariantClear(&item);
  }
  return out;
}

// An object's properties (all but the system ones, __CLASS and the like) as JSON.
Result<nlohmann::json> ObjectToJson(IWbemClassObject* object) {
  nlohmann::json out = nlohmann::json::object();
  HRESULT hr = object->BeginEnumeration(WBEM_FLAG_NONSYSTEM_ONLY);
  if (FAILED(hr)) return ComError("cannot read a WMI object", hr);
  BSTR name = nullptr;
  VARIANT value;
  CIMTYPE type = 0;
  while (object->Next(0, &name, &value, &type, nullptr) == WBEM_S_NO_ERROR) {
    out[win32::Narrow(name)] = ToJson(value, type);
    SysFreeString(name);
    VariantClear(&value);
  }
  object->EndEnumeration();
  return out;
}

// Fills the in-parameters object from JSON: strings, unsigned numbers, booleans.
Status FillInParameters(IWbemClassObject* in, const nlohmann::json& values) {
  for (const auto& [name, value] : values.items()) {
    VARIANT v;
    VariantInit(&v);
    if (value.is_string()) {
      v.vt = VT_BSTR;
      v.bstrVal = SysAllocString(win32::Widen(value.get<std::string>()).c_str());
    } else if (value.is_boolean()) {
      v.vt = VT_BOOL;
      v.boolVal = value.get<bool>() ? VARIANT_TRUE : VARIANT_FALSE;
    } else if (value.is_number_integer()) {
      v.vt = VT_I4;
      v.lVal = static_cast<LONG>(value.get<int64_t>());
    } else {
      return Status::Internal("WMI in-parameter " + name + " has a type the agent cannot pass");
    }
    const HRESULT hr = in->Put(win32::Widen(name).c_str(), 0, &v, 0);
    if (v.vt == VT_BSTR) {
      // A numerical password or an owner authorisation may be in it.
      SecureZeroMemory(v.bstrVal, SysStringByteLen(v.bstrVal));
    }
    VariantClear(&v);
    if (FAILED(hr)) return ComError("cannot set the WMI in-parameter " + name, hr);
  }
  return Status::Ok();
}

class ComWmi final : public Wmi {
 public:
  explicit ComWmi(ComPtr<IWbemLocator> locator) : locator_(std::move(locator)) {}

  Result<std::vector<nlohmann::json>> Query(const std::string& wmi_namespace,
                                            const std::string& wql) override {
    LOCKBOX_ASSIGN_OR_RETURN(IWbemServices * services, Services(wmi_namespace));
    ComPtr<IEnumWbemClassObject> found;
    HRESULT hr = services->ExecQuery(Bstr("WQL").get(), Bstr(wql).get(),
                                     WBEM_FLAG_FORWARD_ONLY | WBEM_FLAG_RETURN_IMMEDIATELY, nullptr,
                                     found.out());
    if (FAILED(hr)) return ComError(wql + " in " + wmi_namespace, hr);
    std::vector<nlohmann::json> out;
    while (true) {
      ComPtr<IWbemClassObject> object;
      ULONG returned = 0;
      hr = found->Next(static_cast<LONG>(WBEM_INFINITE), 1, object.out(), &returned);
      if (returned == 0) break;
      LOCKBOX_ASSIGN_OR_RETURN(nlohmann::json properties, ObjectToJson(object.get()));
      out.push_back(std::move(properties));
    }
    return out;
  }

  Result<nlohmann::json> Call(const std::string& wmi_namespace, const std::string& object_path,
                              const std::string& method, const nlohmann::json& in) override {
    LOCKBOX_ASSIGN_OR_RETURN(IWbemServices * services, Services(wmi_namespace));
    const std::string class_name = object_path.substr(0, object_path.find_first_of(".="));
    ComPtr<IWbemClassObject> class_object;
    HRESULT hr =
        services->GetObject(Bstr(class_name).get(), 0, nullptr, class_object.out(), nullptr);
    if (FAILED(hr)) return ComError("cannot find the WMI class " + class_name, hr);
    ComPtr<IWbemClassObject> in_definition;
    hr = class_object->GetMethod(win32::Widen(method).c_str(), 0, in_definition.out(), nullptr);
    if (FAILED(hr)) return ComError("the WMI class " + class_name + " has no " + method, hr);
    ComPtr<IWbemClassObject> in_object;
    if (in_definition.get() != nullptr) {
      hr = in_definition->SpawnInstance(0, in_object.out());
      if (FAILED(hr)) return ComError("cannot prepare the call of " + method, hr);
      LOCKBOX_RETURN_IF_ERROR(FillInParameters(in_object.get(), in));
    }
    ComPtr<IWbemClassObject> out_object;
    hr = services->ExecMethod(Bstr(object_path).get(), Bstr(method).get(), 0, nullptr,
                              in_object.get(), out_object.out(), nullptr);
    if (FAILED(hr)) return ComError(method + " on " + object_path, hr);
    if (out_object.get() == nullptr) return nlohmann::json::object();
    return ObjectToJson(out_object.get());
  }

 private:
  // One connection per namespace, with packet privacy (BitLocker's namespace requires it).
  Result<IWbemServices*> Services(const std::string& wmi_namespace) {
    auto it = services_.find(wmi_namespace);
    if (it != services_.end()) return it->second.get();
    ComPtr<IWbemServices> services;
    HRESULT hr = locator_->ConnectServer(Bstr(wmi_namespace).get(), nullptr, nullptr, nullptr, 0,
                                         nullptr, nullptr, services.out());
    if (hr == static_cast<HRESULT>(WBEM_E_INVALID_NAMESPACE)) {
      return Status::Unsupported("this Windows has no WMI namespace " + wmi_namespace +
                                 " (no BitLocker or no TPM support in this edition, or wine)");
    }
    if (FAILED(hr)) return ComError("cannot connect to WMI " + wmi_namespace, hr);
    hr = CoSetProxyBlanket(services.get(), RPC_C_AUTHN_WINNT, RPC_C_AUTHZ_NONE, nullptr,
                           RPC_C_AUTHN_LEVEL_PKT_PRIVACY, RPC_C_IMP_LEVEL_IMPERSONATE, nullptr,
                           EOAC_NONE);
    if (FAILED(hr)) return ComError("cannot secure the WMI connection to " + wmi_namespace, hr);
    IWbemServices* raw = services.get();
    services_.emplace(wmi_namespace, std::move(services));
    return raw;
  }

  // Destroyed last, after the interfaces: OpenWmi's CoInitializeEx ends with it.
  struct ComScope {
    ~ComScope() { CoUninitialize(); }
  } com_;
  ComPtr<IWbemLocator> locator_;
  std::map<std::string, ComPtr<IWbemServices>> services_;
};

}  // namespace

Result<std::unique_ptr<Wmi>> OpenWmi() {
  HRESULT hr = CoInitializeEx(nullptr, COINIT_MULTITHREADED);
  if (FAILED(hr)) return ComError("cannot start COM", hr);
  hr = CoInitializeSecurity(nullptr, -1, nullptr, nullptr, RPC_C_AUTHN_LEVEL_PKT_PRIVACY,
                            RPC_C_IMP_LEVEL_IMPERSONATE, nullptr, EOAC_NONE, nullptr);
  if (FAILED(hr) && hr != RPC_E_TOO_LATE) {
    CoUninitialize();
    return ComError("cannot set COM security", hr);
  }
  ComPtr<IWbemLocator> locator;
  hr = CoCreateInstance(CLSID_WbemLocator, nullptr, CLSCTX_INPROC_SERVER, IID_IWbemLocator,
                        reinterpret_cast<void**>(locator.out()));
  if (FAILED(hr)) {
    CoUninitialize();
    return ComError("cannot create the WMI locator", hr);
  }
  return std::unique_ptr<Wmi>(std::make_unique<ComWmi>(std::move(locator)));
}

}  // namespace lockbox::agent
