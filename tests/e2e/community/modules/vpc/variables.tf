variable "name" {
  type = string
}

variable "cidr" {
  type = string
}

variable "azs" {
  description = "One public and one private subnet per entry, keyed by a short zone name."
  type = map(object({
    zone    = string
    public  = string
    private = string
  }))
}

variable "flow_log_retention_days" {
  type    = number
  default = 30
}

variable "tags" {
  type    = map(string)
  default = {}
}
