-- :name create_project :<> :1
-- :doc Creates a new project with a name
INSERT INTO projects(name) VALUES($1)
RETURNING project_id, name

-- :name fetch_project :<> :1
-- :doc Fetches a project of given id
SELECT project_id, name
FROM projects
WHERE project_id = $1

-- :name fetch_project_by_name :<> :1
-- :doc Fetches a project by name
SELECT project_id, name
FROM projects
WHERE name = $1

-- :name list_projects :<> :*
-- :doc Lists all projects
SELECT project_id, name
FROM projects
ORDER BY project_id
