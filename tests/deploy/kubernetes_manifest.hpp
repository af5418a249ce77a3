#pragma once
// Reading deploy/kubernetes/'s manifests in tests as Kubernetes reads them: every YAML document of
// a file, one object by kind and name, integers in YAML 1.1's spelling, lists of strings, and
// $(VAR) references expanded from a container's env. Shared by test_deploy (the manifest's fields)
// and test_deploy_integration (its command line run for real).
#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

namespace mixnet::testing {

// Every non-empty YAML document of deploy/kubernetes/`file`, in order.
std::vector<YAML::Node> load_manifest_documents(const std::string& file);

// The one object of `kind` (and metadata.name `name`, if given) among `docs`; the test fails
// unless there is exactly one.
YAML::Node only_manifest_object(const std::vector<YAML::Node>& docs, const std::string& kind,
                                const std::string& name = "");

// An integer field as Kubernetes reads it (sigs.k8s.io/yaml, YAML 1.1): a leading 0 makes it
// octal (0400 is 256), otherwise decimal. yaml-cpp follows YAML 1.2, where 0400 would be 400, so
// the scalar is read as text. Any other spelling (0o400, 0x100) fails the test.
long kubernetes_integer(const YAML::Node& node, const std::string& what);

// A sequence of strings (empty when the node is absent).
std::vector<std::string> string_list(const YAML::Node& seq);

// `text` with each $(NAME) found in `env` replaced by its value, as the kubelet expands a
// container's command, args and env values; an unknown $(NAME) stays as it is, as there.
std::string expand_kubernetes_references(const std::string& text, const std::map<std::string, std::string>& env);

}  // namespace mixnet::testing
