// Runs before every test file's imports: the mock monitor must exist before any resource is created.
import { installMocks } from "../infra/offline";

installMocks("dev");
