export { deployWithCommand, type CommandRunOptions, type CommandTarget } from './command.js'
export { deployToKubernetes, workloadsOf, type KubernetesRunOptions, type KubernetesTarget } from './kubernetes.js'
export { DeployError, deployVariables, type DeployRequest, type TargetResult } from './request.js'
export { containerNames, deployToDocker, parseContainers, planReplacement, PREVIOUS_STOP_SECONDS, type DockerRunOptions, type HostContainer, type Replacement } from './docker.js'
