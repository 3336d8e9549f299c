import { Module } from '@nestjs/common';
import { WorkspaceNamespaceResolver, WorkspaceResolver, WorkspaceScopeResolver, ViewerWorkspaceResolver } from './workspace.resolver';
import { WorkspaceService } from './workspace.service';

/** Workspaces: namespaces across clusters as a unit of policy and access (ADMIN manages them). */
@Module({
  providers: [WorkspaceService, WorkspaceResolver, WorkspaceNamespaceResolver, WorkspaceScopeResolver, ViewerWorkspaceResolver],
})
export class WorkspacesModule {}
