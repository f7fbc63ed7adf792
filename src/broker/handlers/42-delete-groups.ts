import { deleteGroupsRequest, deleteGroupsResponse, type DeleteGroupsRequest, type DeleteGroupsResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';

export default defineApi<DeleteGroupsRequest, DeleteGroupsResponse>({ request: deleteGroupsRequest, response: deleteGroupsResponse }, (broker, req) => ({
  throttleTimeMs: 0,
  results: req.groupsNames.map((groupId) => ({ groupId, errorCode: broker.groups.deleteGroup(groupId) })),
}));
